/* Classifying a guest's stage-2 abort by its fault status code, and deciding what to do. The
 * encodings are those of ESR_ELx.ISS DFSC/IFSC for AArch64 (Arm ARM D24, ESR_EL2); the level
 * -1 forms exist with FEAT_LPA2 (52-bit addresses with 4 KiB/16 KiB granules). */
#include <zvm/s2_fault.h>

static struct s2f at(enum s2f_class cls, int level)
{
	return (struct s2f){.cls = cls, .level = level};
}

/* Codes valid in both IFSC and DFSC. */
static struct s2f classify_fsc(unsigned fsc)
{
	unsigned lvl = fsc & 3;

	switch (fsc) {
	case 0x00 ... 0x03:
		return at(S2F_ADDR_SIZE, (int)lvl);
	case 0x29:
		return at(S2F_ADDR_SIZE, -1);
	case 0x04 ... 0x07:
		return at(S2F_TRANSLATION, (int)lvl);
	case 0x2b:
		return at(S2F_TRANSLATION, -1);
	case 0x08: /* level 0 only with FEAT_LPA2 */
	case 0x09 ... 0x0b:
		return at(S2F_ACCESS_FLAG, (int)lvl);
	case 0x0c: /* level 0 only with FEAT_LPA2 */
	case 0x0d ... 0x0f:
		return at(S2F_PERMISSION, (int)lvl);
	case 0x10:
		return at(S2F_EXT_ABORT, S2F_NO_LEVEL);
	case 0x13:
		return at(S2F_EXT_ABORT_WALK, -1);
	case 0x14 ... 0x17:
		return at(S2F_EXT_ABORT_WALK, (int)lvl);
	case 0x18:
		return at(S2F_PARITY, S2F_NO_LEVEL);
	case 0x1b:
		return at(S2F_PARITY_WALK, -1);
	case 0x1c ... 0x1f:
		return at(S2F_PARITY_WALK, (int)lvl);
	case 0x30:
		return at(S2F_TLB_CONFLICT, S2F_NO_LEVEL);
	case 0x31:
		return at(S2F_ATOMIC_HW_UPDATE, S2F_NO_LEVEL);
	}
	/* 0x11 tag check, 0x21 alignment: data aborts only (below). 0x22-0x28 granule
	 * protection (RME), 0x34/0x35 IMPLEMENTATION DEFINED, the rest reserved. */
	return at(S2F_OTHER, S2F_NO_LEVEL);
}

struct s2f s2f_classify(uint64_t esr)
{
	unsigned ec = S2F_ESR_EC(esr);
	struct s2f f;

	if (ec != S2F_EC_IABT_LOW && ec != S2F_EC_DABT_LOW)
		return at(S2F_OTHER, S2F_NO_LEVEL);
	f = classify_fsc(S2F_FSC(esr));
	if (ec == S2F_EC_DABT_LOW && S2F_FSC(esr) == 0x21)
		f = at(S2F_ALIGNMENT, S2F_NO_LEVEL);
	f.instr = ec == S2F_EC_IABT_LOW;
	f.s1ptw = esr & S2F_ISS_S1PTW;
	f.fnv = esr & S2F_ISS_FNV;
	/* WnR is UNKNOWN for instruction aborts and on a stage-1 walk (reported as a read). */
	f.write = !f.instr && !f.s1ptw && (esr & S2F_ISS_WNR);
	return f;
}

/* The faults a mapping change can cure: what demand paging and write tracking see. */
static bool is_mapping_fault(enum s2f_class cls)
{
	return cls == S2F_TRANSLATION || cls == S2F_ACCESS_FLAG || cls == S2F_PERMISSION;
}

enum s2f_action s2f_decide(const struct s2f *f, enum s2f_region r)
{
	/* Stale or overlapping TLB entries of this VMID: ours to clean, wherever they point. */
	if (f->cls == S2F_TLB_CONFLICT)
		return S2A_RETRY_TLBI;
	/* The hardware failed (the IPA from HPFAR_EL2 may not even be valid): the guest gets an
	 * external abort, the host carries on. */
	if (f->cls == S2F_EXT_ABORT || f->cls == S2F_EXT_ABORT_WALK || f->cls == S2F_PARITY ||
	    f->cls == S2F_PARITY_WALK)
		return S2A_INJECT_HWERR;
	if (r == S2R_RAM && is_mapping_fault(f->cls))
		return S2A_MEM; /* also a stage-1 walk that reads guest RAM */
	if (r == S2R_MMIO && !f->s1ptw) {
		if (f->instr)
			return S2A_INJECT_EXEC_DEVICE;
		/* Devices are never mapped: an access faults at translation. Without a valid
		 * FAR the register offset is unknown. */
		if ((f->cls == S2F_TRANSLATION || f->cls == S2F_ACCESS_FLAG) && !f->fnv)
			return S2A_MMIO;
	}
	/* Nothing there, page tables in a device (no walk is emulated), or a fault no remedy
	 * of ours applies to. */
	return S2A_INJECT;
}

enum s2f_outcome s2f_after_lookup(bool mapped, bool allows, bool dynamic)
{
	if (mapped)
		return allows ? S2O_RETRY : S2O_INJECT;
	/* A dynamic VM's page may be unmapped whatever the fault said: never touched, or
	 * compressed by the reclaim scanner between the access (an access flag or permission
	 * fault on the entry then) and this lookup. Paging it in cures it; a retry that still
	 * finds the access not allowed comes back here mapped, and gets its abort. */
	return dynamic ? S2O_DEFER : S2O_INJECT;
}

const char *s2f_class_name(enum s2f_class cls)
{
	static const char *const names[S2F_NR_CLASSES] = {
	    [S2F_OTHER] = "unclassified fault",
	    [S2F_TRANSLATION] = "translation fault",
	    [S2F_ACCESS_FLAG] = "access flag fault",
	    [S2F_PERMISSION] = "permission fault",
	    [S2F_ADDR_SIZE] = "address size fault",
	    [S2F_EXT_ABORT] = "synchronous external abort",
	    [S2F_EXT_ABORT_WALK] = "synchronous external abort on a table walk",
	    [S2F_PARITY] = "parity/ECC error",
	    [S2F_PARITY_WALK] = "parity/ECC error on a table walk",
	    [S2F_TLB_CONFLICT] = "TLB conflict abort",
	    [S2F_ALIGNMENT] = "alignment fault",
	    [S2F_ATOMIC_HW_UPDATE] = "unsupported atomic hardware update",
	};

	return (unsigned)cls < S2F_NR_CLASSES ? names[cls] : "?";
}

bool s2f_tlbc_give_up(struct s2f_tlbc *c, uint64_t ipa)
{
	uint64_t page = ipa >> 12;

	if (c->count && c->page == page && c->count >= S2F_TLBC_MAX) {
		c->count = 0;
		return true;
	}
	if (!c->count || c->page != page) {
		c->page = page;
		c->count = 0;
	}
	c->count++;
	return false;
}
