/* Acting on a guest's stage-2 abort once the MMIO fast path (exit.c) has declined it: classify
 * by the fault status code (s2_fault.c) and do what s2f_decide() says. Fast path: exception
 * context, IRQs masked, nothing here blocks. */
#include <arch/sysreg.h>
#include <kernel/printk.h>
#include <zvm/exit_deferred.h>
#include <zvm/mem/dyn.h>
#include <zvm/guest_log.h>
#include <zvm/s2_fault.h>
#include <zvm/stage2.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>
#include <zvm/zvm.h>

static enum s2f_region region_of(const struct vm *vm, uint64_t ipa, bool mmio)
{
	if (mmio)
		return S2R_MMIO;
	if (ipa >= vm->mem.ipa_base && ipa - vm->mem.ipa_base < vm->mem.size)
		return S2R_RAM;
	return S2R_NONE;
}

static void inject(struct vcpu *v, const struct s2f *f)
{
	if (f->instr)
		vcpu_inject_iabt(v, v->far);
	else
		vcpu_inject_dabt(v, v->far);
}

/* THE one stage-2 fault mechanism for guest RAM. Every translation, access flag and permission
 * fault on an IPA inside the VM's RAM (its own accesses and its stage-1 walks) comes here and
 * nowhere else: demand paging and compressed pages (map the page, retry), write tracking
 * (mark dirty, make writable, retry) extend this function. Looked at under the stage-2 lock,
 * so a change in progress on another CPU has completed:
 * - access flag fault: access tracking (stage2_clear_af) cleared the flag; set it, retry;
 * - a fault the entry now allows: we raced with a break-before-make (the entry was invalid for
 *   a moment, or the flag was set meanwhile); retry.
 * - no entry on a dynamic VM (a page never touched, or compressed, also one compressed
 *   after an access flag or permission fault was taken on it): deferred to the vCPU thread
 *   (v->exit_deferred), which allocates or decompresses and maps the page; the guest retries.
 * Returns true when the guest should re-execute the instruction (the fault was cured, or will
 * be on the thread); false: the caller injects an abort.
 *
 * Why the access flag and not FEAT_HAFDBS: with hardware AF updates the flag is set without a
 * trap, but a scan then has to clear it with break-before-make and TLBI per entry just the same,
 * and QEMU's cortex-a57 and most of our boards' cores (A53/A57/A72) do not have it. Software AF
 * costs one trap per page per scan period, taken only on pages a scan marked, and works
 * everywhere; the fault is short (one walk under the spinlock). */
bool s2_fault_handle(struct vcpu *v, const struct s2f *f, uint64_t ipa)
{
	struct stage2 *s2 = &v->vm->s2;
	k_spinlock_key_t key = stage2_lock(s2);
	struct s2pt_leaf leaf;
	bool mapped = s2pt_lookup(&s2->pt, ipa, &leaf);
	bool allows = false;

	/* Also for a translation fault: taken in a break-before-make gap of an access flag clear,
	 * its retry would fault on the flag next. */
	if (mapped && !leaf.af)
		leaf.af = s2pt_set_af(&s2->pt, ipa);
	if (mapped)
		allows = s2pt_allows(&leaf, f->instr, f->write);
	stage2_unlock(s2, key);
	switch (s2f_after_lookup(mapped, allows, v->vm->mem.dynamic)) {
	case S2O_RETRY:
		return true;
	case S2O_DEFER: /* allocating or decompressing the page is work for s2_fault_thread */
		v->exit_deferred = true;
		return true;
	case S2O_INJECT:
		break;
	}
	guest_log(
	    v, "%s%s, level %d, on guest RAM at 0x%llx (pc 0x%llx): not expected, abort injected",
	    f->s1ptw ? "stage-1 walk: " : "", s2f_class_name(f->cls), f->level,
	    (unsigned long long)ipa, (unsigned long long)v->regs.pc);
	return false;
}

/* A TLB conflict abort: more than one entry of this VMID matched (IMPLEMENTATION DEFINED
 * causes, e.g. a block split without break-before-make). The VM's VTTBR_EL2 is live while its
 * vCPU runs, so the invalidation applies to its VMID, as stage2.c's flush does; then the
 * instruction runs again. Short: one broadcast TLBI. */
static void tlb_conflict_retry(void)
{
	__asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
}

enum s2f_action s2_fault_exit(struct vcpu *v, uint64_t ipa, bool mmio)
{
	static const char *const where[] = {
	    [S2R_NONE] = "outside its memory and devices",
	    [S2R_RAM] = "in its RAM",
	    [S2R_MMIO] = "in a device",
	};
	struct s2f f = s2f_classify(v->esr);
	enum s2f_region r = region_of(v->vm, ipa, mmio);
	enum s2f_action act = s2f_decide(&f, r);
	const char *what = f.instr ? "instruction fetch" : f.write ? "write" : "read";

	switch (act) {
	case S2A_MMIO:
		break; /* the caller emulates */
	case S2A_RETRY_TLBI:
		if (s2f_tlbc_give_up(&v->tlbc, ipa)) {
			guest_log(v,
				  "TLB conflict abort at 0x%llx (pc 0x%llx) %u times in a row: "
				  "abort injected",
				  (unsigned long long)ipa, (unsigned long long)v->regs.pc,
				  S2F_TLBC_MAX + 1);
			inject(v, &f);
			break;
		}
		guest_log(v, "TLB conflict abort at 0x%llx (pc 0x%llx): stage-2 TLB invalidated",
			  (unsigned long long)ipa, (unsigned long long)v->regs.pc);
		tlb_conflict_retry();
		break;
	case S2A_MEM:
		if (!s2_fault_handle(v, &f, ipa)) /* else cured: re-executed */
			inject(v, &f);
		break;
	case S2A_INJECT_HWERR:
		guest_log(v, "hardware error on %s (%s, pc 0x%llx): external abort injected", what,
			  s2f_class_name(f.cls), (unsigned long long)v->regs.pc);
		inject(v, &f);
		break;
	case S2A_INJECT_EXEC_DEVICE:
		guest_log(v, "executing from device memory at 0x%llx: prefetch abort injected",
			  (unsigned long long)ipa);
		inject(v, &f);
		break;
	case S2A_INJECT:
		guest_log(v, "%s%s at 0x%llx %s (%s, level %d, pc 0x%llx): abort injected",
			  f.s1ptw ? "stage-1 walk for a " : "", what, (unsigned long long)ipa,
			  where[r], s2f_class_name(f.cls), f.level, (unsigned long long)v->regs.pc);
		inject(v, &f);
		break;
	}
	return act;
}

void s2_fault_thread(struct vcpu *v, uint64_t ipa)
{
	struct vm *vm = v->vm;
	int err = mem_dyn_fault(vm, ipa);

	if (!err)
		return; /* the guest retries the access */
	if (err == -ENOMEM) {
		/* Not the guest's fault (overcommit: no free page, nothing cold left to
		 * compress or the pool full): it waits, paused, and the scanner (reclaim.c)
		 * runs it again once memory is free; the access is retried then. Paused
		 * first, then marked, so the scanner never resumes it before the pause. */
		pr_err("zvm: vm%u (%s) paused: out of memory for its RAM at 0x%llx (no free host "
		       "page, nothing cold to compress or the pool full); it resumes when memory "
		       "is freed\n",
		       vm->id, vm->name, (unsigned long long)ipa);
		if (!vm_pause(vm))
			mem_reclaim_wait(vm);
		return;
	}
	guest_log(v, "no memory behind 0x%llx (pc 0x%llx, error %d): abort injected",
		  (unsigned long long)ipa, (unsigned long long)v->regs.pc, err);
	if (S2F_ESR_EC(v->esr) == S2F_EC_IABT_LOW)
		vcpu_inject_iabt(v, v->far);
	else
		vcpu_inject_dabt(v, v->far);
}
