/* The host's PSCI client: talks to the firmware below EL2 (EL3) through SMC. */
#ifndef DRIVERS_PSCI_H
#define DRIVERS_PSCI_H

#include <stdbool.h>
#include <stdint.h>

/* use_hvc comes from the DTB's /psci "method". At EL2 an HVC would trap to ZVM itself, so the
 * host forces SMC there (and warns if the DTB said otherwise). Logs the firmware's version. */
void psci_init(bool use_hvc);

/* The PSCI_VERSION value (major << 16 | minor), or a negative errno. */
int psci_version(void);
/* Starts the CPU with that MPIDR at entry (physical address, MMU off, at EL2) with x0 =
 * context_id. 0, or -EINVAL, -EALREADY (already on), -EINPROGRESS (on pending), -EFAULT (bad
 * entry), -EIO, -EOPNOTSUPP... */
int psci_cpu_on(uint64_t target_mpidr, uintptr_t entry, uint64_t context_id);
/* The feature flags of a PSCI function (>= 0), or -EOPNOTSUPP when it is not implemented. */
int psci_features(uint32_t fid);
/* Power the machine off / reset it. Never return: if the firmware does, the CPU idles. */
_Noreturn void psci_system_off(void);
_Noreturn void psci_system_reset(void);

#endif
