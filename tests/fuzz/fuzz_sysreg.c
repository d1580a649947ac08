/* The system-register trap decoder (zvm/sysreg_decode.c) over every ISS a guest can make,
 * checked against the architecture's fields read independently here, and the guest's view of
 * the ID registers (zvm/id_regs.c) for any hardware value. Checks: Rt and the direction are
 * the ISS's own and never change the class; ICC_SGI1R, the physical timer, set/way and the TVM
 * registers are recognised exactly; the ID class is exactly the reads of op0=3 op1=0 CRn=0
 * CRm=1..7 (writes there are undefined) with an id below 64; the debug class only with op0=2;
 * RAZ/WI only for its listed encodings and the RAS records; the guest view of an ID register
 * never reports SVE or a physical address range beyond the VM's. */
#include <stdio.h>
#include <stdlib.h>
#include <zvm/id_regs.h>
#include <zvm/setway.h>
#include <zvm/sysreg_decode.h>

#include "fuzz_input.h"

static void fail(const char *why, uint32_t iss)
{
	fprintf(stderr, "fuzz_sysreg: ISS 0x%x: %s\n", iss, why);
	abort();
}

static void check(uint32_t iss)
{
	unsigned op0 = iss >> 20 & 3, op2 = iss >> 17 & 7, op1 = iss >> 14 & 7,
		 crn = iss >> 10 & 15, rt = iss >> 5 & 31, crm = iss >> 1 & 15;
	bool read = iss & 1;
	uint32_t enc = SYSREG(op0, op1, crn, crm, op2);
	struct sysreg_access a = sysreg_decode(iss);
	/* The same access with another Rt, direction kept, and the RES0 bits 22-24 set. */
	struct sysreg_access b = sysreg_decode((iss & ~(31u << 5)) | ((rt ^ 7) << 5) | 7u << 22);
	bool id_space = op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7;
	bool ras = op0 == 3 && op1 == 0 && crn == 5 && crm >= 3 && crm <= 5;

	if (a.rt != rt || a.read != read || a.enc != enc)
		fail("Rt, direction or encoding not the ISS's", iss);
	if (b.cls != a.cls || (a.cls == SR_ID && b.id != a.id))
		fail("Rt or RES0 bits change the class", iss);
	if ((a.cls == SR_SGI1R) != (enc == SYSREG(3, 0, 12, 11, 5)))
		fail("ICC_SGI1R_EL1 not recognised exactly", iss);
	if ((a.cls == SR_SETWAY) !=
	    (op0 == 1 && op1 == 0 && crn == 7 && op2 == 2 && (crm == 6 || crm == 10 || crm == 14)))
		fail("DC ISW/CSW/CISW not recognised exactly", iss);
	if (((a.cls == SR_PTIMER_CTL || a.cls == SR_PTIMER_CVAL || a.cls == SR_PTIMER_TVAL) !=
	     (op0 == 3 && op1 == 3 && crn == 14 && crm == 2 && op2 <= 2)) ||
	    (a.cls == SR_PTIMER_TVAL && op2 != 0) || (a.cls == SR_PTIMER_CTL && op2 != 1))
		fail("CNTP_* not recognised exactly", iss);
	if ((a.cls == SR_TVM) != (tvm_reg_decode(enc) >= 0))
		fail("TVM registers not recognised exactly", iss);
	if ((a.cls == SR_ID) != (id_space && read))
		fail("the ID class is not exactly the ID space's reads", iss);
	if (a.cls == SR_ID && (a.id >= 64 || a.id != ID_REG(crm, op2)))
		fail("an ID register number out of range", iss);
	if (a.cls == SR_DEBUG && op0 != 2)
		fail("a debug register outside op0 = 2", iss);
	if (a.cls == SR_RAZ_WI && !ras && enc != SYSREG(3, 0, 12, 11, 6) &&
	    enc != SYSREG(3, 0, 12, 11, 7) && enc != SYSREG(3, 0, 1, 0, 1))
		fail("read-as-zero for a register not listed", iss);
	if (a.cls == SR_UNDEF && ((id_space && read) || ras || op0 == 2))
		fail("undefined where a class applies", iss);
	/* A TLB invalidation is an op0 1, op1 0 write in CRn 8 or 9, CRm 1-3 or 5-7, and becomes
	 * the local form of its kind: a range (CRm 2, 5, 6) a local range (6), the others 7. */
	if (a.cls == SR_TLBI &&
	    (op0 != 1 || op1 != 0 || (crn != 8 && crn != 9) || read || crm == 0 || crm == 4 ||
	     crm > 7 || (a.id >> 3 == 6) != (crm == 2 || crm == 5 || crm == 6) ||
	     (a.id >> 3 != 7 && a.id >> 3 != 6) || (a.id & 7) != op2))
		fail("a TLBI decoded from an encoding that is none, or to the wrong local form",
		     iss);
	if (a.cls == SR_TLBI && b.id != a.id)
		fail("Rt or RES0 bits change the TLBI", iss);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	while (in.n) {
		uint32_t iss = (uint32_t)fuzz_bytes(&in, 3) & 0x3fffff; /* bits 0-21: the fields */
		uint64_t hw = fuzz_u64(&in);
		unsigned ipa_bits = 32 + fuzz_u8(&in) % 21; /* 32..52 */
		struct sysreg_access a;

		check(iss);
		a = sysreg_decode(iss);
		if (a.cls != SR_ID)
			continue;
		uint64_t view = id_reg_guest_view(a.id, hw, ipa_bits);

		if (a.id == ID_AA64PFR0 && (view >> 32 & 0xf))
			fail("SVE shown to the guest", iss);
		if (a.id == ID_REG(7, 0) && (view & 0xf) > (hw & 0xf))
			fail("a physical address range beyond the CPU's", iss);
	}
	return 0;
}
