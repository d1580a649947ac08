/* Rate-limited reports of guest misbehaviour: the first few per VM, then a count. */
#include <kernel/printk.h>
#include <lib/format.h>
#include <stdarg.h>
#include <zvm/guest_log.h>
#include <zvm/vcpu.h>
#include <zvm/vm.h>

#define GUEST_LOG_LIMIT 16

void guest_log(struct vcpu *v, const char *fmt, ...)
{
	unsigned n = __atomic_fetch_add(&v->vm->log_count, 1, __ATOMIC_RELAXED);
	char msg[160];
	va_list ap;

	if (n > GUEST_LOG_LIMIT)
		return;
	if (n == GUEST_LOG_LIMIT) {
		pr_warn("vm%u: more guest errors, not shown\n", v->vm->id);
		return;
	}
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_warn("vm%u vcpu%u: %s\n", v->vm->id, v->id, msg);
}
