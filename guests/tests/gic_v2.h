/* The GICv2 side of the test guests' GIC driver (gic_v2.c). gic.c's public zt_gic_* functions
 * call these when the DTB's GIC is a GICv2; the arguments mean what they mean there. */
#ifndef ZT_GIC_V2_H
#define ZT_GIC_V2_H

#include "zt.h"

int zt_gic2_init_dist(void);
int zt_gic2_init_cpu(void);
void zt_gic2_enable(unsigned cpu, unsigned intid);
void zt_gic2_disable(unsigned cpu, unsigned intid);
bool zt_gic2_is_enabled(unsigned cpu, unsigned intid);
void zt_gic2_set_pending(unsigned cpu, unsigned intid);
void zt_gic2_clear_pending(unsigned cpu, unsigned intid);
bool zt_gic2_is_pending(unsigned cpu, unsigned intid);
bool zt_gic2_is_active(unsigned cpu, unsigned intid);
void zt_gic2_clear_active(unsigned cpu, unsigned intid);
void zt_gic2_set_priority(unsigned cpu, unsigned intid, uint8_t prio);
void zt_gic2_set_edge(unsigned cpu, unsigned intid, bool edge);
void zt_gic2_route(unsigned intid, uint64_t mpidr);
uint64_t zt_gic2_irouter(unsigned intid);
void zt_gic2_sgi_to(unsigned sgi, unsigned cpu);
void zt_gic2_sgi_list(unsigned sgi, uint64_t aff_list_mask);
void zt_gic2_sgi_others(unsigned sgi);
void zt_gic2_set_pmr(uint8_t pmr);
void zt_gic2_cpu_enable(bool on);
uint64_t zt_gic2_ack(void);
void zt_gic2_eoi(uint64_t iar);
unsigned zt_gic2_hppi(void);
unsigned zt_gic2_rpr(void);

#endif
