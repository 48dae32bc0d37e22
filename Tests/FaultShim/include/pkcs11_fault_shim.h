/*
 * A PKCS#11 module for tests that sits in front of a real one (SoftHSM2) and injects faults on
 * demand. Load it as the HSM profile's module; it forwards to the module named by
 * $KMIPD_FAULT_TARGET (default: SoftHSM2's usual paths) and reads its rules from $KMIPD_FAULT_FILE,
 * re-reading the file whenever it changes. One rule per line:
 *
 *   C_Encrypt CKR_DEVICE_ERROR 2     the next 2 calls of C_Encrypt return CKR_DEVICE_ERROR
 *   * CKR_SESSION_HANDLE_INVALID 1   the next call of any session function returns it
 *   C_Sign delay 1500                every C_Sign first sleeps 1500 ms (no count: every call)
 *   removed                          the token is gone: its sessions are closed in the real module,
 *                                    slot calls return CKR_TOKEN_NOT_PRESENT and session calls
 *                                    CKR_DEVICE_REMOVED until the line disappears
 *
 * Return values are CKR_ names from the table in the source or numbers (0x30). The shim counts what
 * it injected: kmipd_fault_injected() (for a test in the same process).
 */
#ifndef KMIPD_PKCS11_FAULT_SHIM_H
#define KMIPD_PKCS11_FAULT_SHIM_H
unsigned long kmipd_fault_injected(void);
#endif
