#ifndef KMIPD_CPKCS11_SHIM_H
#define KMIPD_CPKCS11_SHIM_H
#include <p11-kit/pkcs11.h>
#include <p11-kit/p11-kit.h>
#include <dlfcn.h>
#include <sys/prctl.h>
#include <sys/resource.h>

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
#endif
