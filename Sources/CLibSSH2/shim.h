#ifndef SWARMDEPLOY_CLIBSSH2_SHIM_H
#define SWARMDEPLOY_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <openssl/crypto.h>

/// Keeps OpenSSL (libssh2's crypto) from freeing its global state in an atexit handler:
/// a thread still inside libssh2 while the process exits (a bastion relay, a session being
/// dropped) would then crash on freed locks. Must run before OpenSSL's first use.
static inline int swarmdeploy_keep_crypto_until_exit(void) {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

#endif
