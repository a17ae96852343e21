#ifndef SWARMDEPLOY_CZSTD_SHIM_H
#define SWARMDEPLOY_CZSTD_SHIM_H

#include <zstd.h>

#endif
