#ifndef SWARMDEPLOY_RENAME_EXCHANGE_H
#define SWARMDEPLOY_RENAME_EXCHANGE_H

/* Atomically swaps two paths on the same file system (Linux renameat2 with
   RENAME_EXCHANGE), so a directory is replaced without a moment in which it is
   missing. Returns 0, or -1 with errno set (ENOSYS/EINVAL where the kernel or
   file system does not support it). glibc declares renameat2 only under
   _GNU_SOURCE, which Swift's Glibc module does not define. */
int swarmdeploy_rename_exchange(const char *first, const char *second);

#endif
