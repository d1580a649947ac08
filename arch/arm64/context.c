/* Preparing a new thread's first context. */
#include <arch/context.h>
#include <stddef.h>
#include <string.h>

_Static_assert(offsetof(struct arch_context, sp) == 96, "switch.S CTX_SP");
_Static_assert(offsetof(struct arch_context, fpsimd) == 112, "switch.S CTX_FPSIMD");

void arch_thread_trampoline(void);

void arch_context_init(struct arch_context *ctx, void *stack_top, void (*fn)(void *), void *arg)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->x19_x28[0] = (uint64_t)fn;
	ctx->x19_x28[1] = (uint64_t)arg;
	ctx->lr = (uint64_t)arch_thread_trampoline;
	ctx->sp = (uint64_t)stack_top & ~(uint64_t)15;
}
