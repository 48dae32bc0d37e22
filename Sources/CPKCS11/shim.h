#ifndef KMIPD_CPKCS11_SHIM_H
#define KMIPD_CPKCS11_SHIM_H
#include <p11-kit/pkcs11.h>
#include <p11-kit/p11-kit.h>
#include <dlfcn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Cast-built macros that do not import into Swift (they are built on casts). */
static const CK_ULONG kmipd_CK_UNAVAILABLE_INFORMATION = CK_UNAVAILABLE_INFORMATION;
static const CK_ULONG kmipd_CKA_VENDOR_DEFINED = CKA_VENDOR_DEFINED;
static const CK_ULONG kmipd_CKR_VENDOR_DEFINED = CKR_VENDOR_DEFINED;

/* Calls through the function list: Swift can call the pointers too, but these keep call sites short. */
static inline CK_FUNCTION_LIST_PTR kmipd_load_module(const char *path, void **handle_out) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return NULL;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
    if (!get) { dlclose(h); return NULL; }
    CK_FUNCTION_LIST_PTR list = NULL;
    if (get(&list) != CKR_OK) { dlclose(h); return NULL; }
    *handle_out = h;
    return list;
}
/* A process that holds the user PIN and a PKCS#11 module (SoftHSM2 keeps keys in its own memory)
   must never write a core file, nor let another process of the same user read its memory:
   RLIMIT_CORE 0 and PR_SET_DUMPABLE 0 (prctl is variadic, so Swift cannot call it itself). */
static inline int kmipd_disable_core_dumps(void) {
    struct rlimit none = { 0, 0 };
    int a = setrlimit(RLIMIT_CORE, &none);
    int b = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    return (a == 0 && b == 0) ? 0 : -1;
}
/* Adds one to a SoftHSM2 token's generation counter (8 bytes, big-endian) under the locks SoftHSM2
   takes on it (fcntl in 2.6, flock before), in a child process: record locks belong to a process,
   and opening and closing the file in this one would drop a lock a SoftHSM2 thread here holds.
   The child calls only async-signal-safe functions. 0 on success. */
static inline int kmipd_softhsm2_bump_generation(const char *path) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0) _exit(1);
        struct flock fl;
        fl.l_type = F_WRLCK; fl.l_whence = SEEK_SET; fl.l_start = 0; fl.l_len = 0; fl.l_pid = 0;
        if (flock(fd, LOCK_EX) != 0 || fcntl(fd, F_SETLKW, &fl) != 0) _exit(2);
        unsigned char b[8];
        if (pread(fd, b, 8, 0) != 8) _exit(3);
        unsigned long long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | b[i];
        v += 1; if (v == 0) v = 1;
        for (int i = 7; i >= 0; i--) { b[i] = (unsigned char)(v & 0xff); v >>= 8; }
        if (pwrite(fd, b, 8, 0) != 8) _exit(4);
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) { if (errno != EINTR) return -1; }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
