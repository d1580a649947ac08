/* What a trap from a guest's AArch32 EL0 needs beyond the AArch64 case: the IT state of T32
 * code and condition codes. PSTATE values are in SPSR_ELx format. */
#ifndef ZVM_AARCH32_H
#define ZVM_AARCH32_H

#include <stdbool.h>
#include <stdint.h>

#define PSR_AA32   (1ULL << 4) /* M[4]: the guest was in AArch32 */
#define PSR_AA32_T (1ULL << 5) /* T32 */

/* PSTATE after one instruction of an IT block has been skipped (unchanged outside one). */
uint64_t aa32_itstate_advance(uint64_t pstate);

/* Whether a trapped conditional instruction passes its condition: iss is the syndrome of a
 * trap that has CV (bit 24) and COND (bits 23:20), as WFI/WFE's does. Without CV, the IT
 * state gives the condition. */
bool aa32_condition_passed(uint32_t iss, uint64_t pstate);

#endif
