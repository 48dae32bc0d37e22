#ifndef KMIPD_CPKCS11_SHIM_H
#define KMIPD_CPKCS11_SHIM_H
#include <p11-kit/pkcs11.h>
#include <p11-kit/p11-kit.h>
#include <dlfcn.h>

/* Cast-built macros that do not import into Swift (HSM-NOTES.md). */
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
#endif
