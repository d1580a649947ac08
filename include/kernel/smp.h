/* Inter-processor interrupts. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/* Makes cpu run the scheduler soon (a reschedule SGI; a no-op for the calling CPU, which
 * reschedules on its own interrupt exit). */
void smp_send_resched(unsigned cpu);
/* Runs fn(arg) on cpu from interrupt context and waits until it has run. */
void smp_call_function(unsigned cpu, void (*fn)(void *), void *arg);

#endif
