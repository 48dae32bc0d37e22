/* A fault-injecting PKCS#11 module in front of a real one; see include/pkcs11_fault_shim.h. */
#include "pkcs11_fault_shim.h"
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum kind { SLOT_CALL, SESSION_CALL };

struct rule { char function[40]; CK_RV rv; long delay_ms; long remaining; /* -1: every call */ };

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST shim;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t rules_lock = PTHREAD_MUTEX_INITIALIZER;
/* Forwarded calls hold it shared; closing every session when the token "goes" holds it exclusively,
 * because SoftHSM2 crashes when a session is closed while another thread is inside a call on it. */
static pthread_rwlock_t calls_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct rule rules[32];
static int rule_count;
static int removed;
static struct stat loaded;
static CK_SLOT_ID slots[16];
static int slot_count;
static unsigned long injected;

static const struct { const char *name; CK_RV rv; } names[] = {
    {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR}, {"CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY},
    {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED}, {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
    {"CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID}, {"CKR_SESSION_CLOSED", CKR_SESSION_CLOSED},
    {"CKR_GENERAL_ERROR", CKR_GENERAL_ERROR}, {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
    {"CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN}, {"CKR_HOST_MEMORY", CKR_HOST_MEMORY},
};

unsigned long kmipd_fault_injected(void) {
    pthread_mutex_lock(&rules_lock);
    unsigned long n = injected;
    pthread_mutex_unlock(&rules_lock);
    return n;
}

static CK_RV parse_rv(const char *s) {
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) return names[i].rv;
    return (CK_RV)strtoul(s, NULL, 0);
}

/* Re-reads the rule file when it changed (tests replace it by rename). Called with rules_lock held;
 * returns 1 when the token has just been removed. */
static int reload(void) {
    const char *path = getenv("KMIPD_FAULT_FILE");
    struct stat st;
    if (!path || stat(path, &st) != 0) memset(&st, 0, sizeof st);
    if (st.st_ino == loaded.st_ino && st.st_mtim.tv_nsec == loaded.st_mtim.tv_nsec &&
        st.st_mtim.tv_sec == loaded.st_mtim.tv_sec && st.st_size == loaded.st_size) return 0;
    loaded = st;
    int was_removed = removed;
    rule_count = 0; removed = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    char line[256];
    while (f && fgets(line, sizeof line, f) && rule_count < 32) {
        char fn[40] = "", what[48] = ""; long n = -1;
        int fields = sscanf(line, "%39s %47s %ld", fn, what, &n);
        if (fields >= 1 && strcmp(fn, "removed") == 0) { removed = 1; continue; }
        if (fields < 2) continue;
        struct rule *r = &rules[rule_count++];
        memset(r, 0, sizeof *r);
        strncpy(r->function, fn, sizeof r->function - 1);
        if (strcmp(what, "delay") == 0) { r->delay_ms = n < 0 ? 0 : n; r->remaining = -1; }
        else { r->rv = parse_rv(what); r->remaining = fields == 3 ? n : -1; }
    }
    if (f) fclose(f);
    return removed && !was_removed;
}

/* The fault for this call, or CKR_OK; on CKR_OK the caller forwards with calls_lock held shared. */
static CK_RV fault(const char *function, enum kind kind) {
    pthread_mutex_lock(&rules_lock);
    int just_removed = reload();
    long delay = 0; CK_RV rv = CKR_OK;
    if (removed) rv = kind == SLOT_CALL ? CKR_TOKEN_NOT_PRESENT : CKR_DEVICE_REMOVED;
    for (int i = 0; i < rule_count && rv == CKR_OK; i++) {
        struct rule *r = &rules[i];
        if (strcmp(r->function, "*") != 0 && strcmp(r->function, function) != 0) continue;
        if (r->delay_ms) { delay += r->delay_ms; continue; }
        if (r->remaining == 0) continue;
        if (r->remaining > 0) r->remaining--;
        rv = r->rv;
    }
    if (rv != CKR_OK) injected++;
    CK_SLOT_ID to_close[16]; int n = just_removed ? slot_count : 0;
    memcpy(to_close, slots, sizeof to_close);
    pthread_mutex_unlock(&rules_lock);
    if (n) {
        pthread_rwlock_wrlock(&calls_lock);
        for (int i = 0; i < n; i++) real->C_CloseAllSessions(to_close[i]);
        pthread_rwlock_unlock(&calls_lock);
    }
    if (delay) { struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L}; nanosleep(&ts, NULL); }
    if (rv == CKR_OK) pthread_rwlock_rdlock(&calls_lock);
    return rv;
}

static CK_RV done(CK_RV rv) { pthread_rwlock_unlock(&calls_lock); return rv; }

#define WRAP(kind, name, params, args) \
    static CK_RV w_##name params { \
        CK_RV rv = fault(#name, kind); \
        return rv != CKR_OK ? rv : done(real->name args); \
    }

static CK_RV w_C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR out) {
    CK_RV rv = fault("C_OpenSession", SLOT_CALL);
    if (rv != CKR_OK) return rv;
    pthread_mutex_lock(&rules_lock);
    int seen = 0;
    for (int i = 0; i < slot_count; i++) seen |= slots[i] == slot;
    if (!seen && slot_count < 16) slots[slot_count++] = slot;
    pthread_mutex_unlock(&rules_lock);
    return done(real->C_OpenSession(slot, flags, app, notify, out));
}

WRAP(SLOT_CALL, C_GetTokenInfo, (CK_SLOT_ID s, CK_TOKEN_INFO_PTR i), (s, i))
WRAP(SESSION_CALL, C_Login, (CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n), (h, u, p, n))
WRAP(SESSION_CALL, C_CreateObject, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o), (h, t, n, o))
WRAP(SESSION_CALL, C_DestroyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o), (h, o))
WRAP(SESSION_CALL, C_GetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n), (h, o, t, n))
WRAP(SESSION_CALL, C_FindObjectsInit, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n), (h, t, n))
WRAP(SESSION_CALL, C_EncryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
WRAP(SESSION_CALL, C_Encrypt, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, i, n, o, on))
WRAP(SESSION_CALL, C_EncryptUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, i, n, o, on))
WRAP(SESSION_CALL, C_EncryptFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, o, on))
WRAP(SESSION_CALL, C_DecryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
WRAP(SESSION_CALL, C_Decrypt, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, i, n, o, on))
WRAP(SESSION_CALL, C_DecryptUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, i, n, o, on))
WRAP(SESSION_CALL, C_DecryptFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, o, on))
WRAP(SESSION_CALL, C_DigestInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m), (h, m))
WRAP(SESSION_CALL, C_Digest, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, i, n, o, on))
WRAP(SESSION_CALL, C_DigestKey, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k), (h, k))
WRAP(SESSION_CALL, C_SignInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
WRAP(SESSION_CALL, C_Sign, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, i, n, o, on))
WRAP(SESSION_CALL, C_VerifyInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
WRAP(SESSION_CALL, C_Verify, (CK_SESSION_HANDLE h, CK_BYTE_PTR i, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG sn), (h, i, n, s, sn))
WRAP(SESSION_CALL, C_GenerateKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k), (h, m, t, n, k))
WRAP(SESSION_CALL, C_GenerateKeyPair, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
      CK_ATTRIBUTE_PTR st, CK_ULONG sn, CK_OBJECT_HANDLE_PTR pk, CK_OBJECT_HANDLE_PTR sk), (h, m, pt, pn, st, sn, pk, sk))
WRAP(SESSION_CALL, C_WrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k,
      CK_BYTE_PTR o, CK_ULONG_PTR on), (h, m, w, k, o, on))
WRAP(SESSION_CALL, C_UnwrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w, CK_ULONG wn,
      CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k), (h, m, u, w, wn, t, n, k))
WRAP(SESSION_CALL, C_DeriveKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t, CK_ULONG n,
      CK_OBJECT_HANDLE_PTR k), (h, m, b, t, n, k))
WRAP(SESSION_CALL, C_GenerateRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG n), (h, o, n))

static void load(void) {
    const char *target = getenv("KMIPD_FAULT_TARGET");
    const char *defaults[] = {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                              "/usr/local/lib/softhsm/libsofthsm2.so"};
    void *h = target ? dlopen(target, RTLD_NOW | RTLD_LOCAL) : NULL;
    for (size_t i = 0; !h && i < 3; i++) h = dlopen(defaults[i], RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get = h ? (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList") : NULL;
    if (!get || get(&real) != CKR_OK) { real = NULL; return; }
    shim = *real;
#define USE(name) shim.name = w_##name
    USE(C_OpenSession); USE(C_GetTokenInfo); USE(C_Login); USE(C_CreateObject); USE(C_DestroyObject);
    USE(C_GetAttributeValue); USE(C_FindObjectsInit); USE(C_EncryptInit); USE(C_Encrypt); USE(C_EncryptUpdate);
    USE(C_EncryptFinal); USE(C_DecryptInit); USE(C_Decrypt); USE(C_DecryptUpdate); USE(C_DecryptFinal);
    USE(C_DigestInit); USE(C_Digest); USE(C_DigestKey); USE(C_SignInit); USE(C_Sign); USE(C_VerifyInit);
    USE(C_Verify); USE(C_GenerateKey); USE(C_GenerateKeyPair); USE(C_WrapKey); USE(C_UnwrapKey);
    USE(C_DeriveKey); USE(C_GenerateRandom);
#undef USE
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
    pthread_once(&once, load);
    if (!real) return CKR_GENERAL_ERROR;
    if (!list) return CKR_ARGUMENTS_BAD;
    *list = &shim;
    return CKR_OK;
}
