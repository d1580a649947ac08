/* Inter-processor interrupts. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/* Makes cpu run the scheduler soon (a reschedule SGI; a no-op for the calling CPU, which
 * reschedules on its own interrupt exit). */
void smp_send_resched(unsigned cpu);
/* Interrupts cpu so that a vCPU running there leaves guest mode; the handler does nothing. */
void smp_send_kick(unsigned cpu);
/* Parks every other online CPU for good (the panic path). */
void smp_stop_others(void);
/* Runs fn(arg) on cpu from interrupt context and waits until it has run. Thread context with
 * IRQs enabled (a caller with IRQs masked could not serve a call made to its own CPU). */
void smp_call_function(unsigned cpu, void (*fn)(void *), void *arg);

#endif
