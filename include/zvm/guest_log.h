/* Log lines about what a guest did wrong, limited per VM so a guest cannot flood the console. */
#ifndef ZVM_GUEST_LOG_H
#define ZVM_GUEST_LOG_H

struct vcpu;

void guest_log(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
