/* The VM both vGIC fixtures start from (vgic_fixture.h, test_vgic_v2_dist.c): the fake CPU
 * and the VM cleared, the vGIC initialised (the GICv2 front end if v2) and n vCPUs made into
 * vcpu[] and the VM. */
#ifndef TESTS_UNIT_VGIC_VM_H
#define TESTS_UNIT_VGIC_VM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vgic_fakes.h"

static inline void vgic_vm_setup(struct vm *vm, struct vcpu **vcpu, unsigned n, bool v2)
{
	memset(&fake, 0, sizeof(fake));
	memset(vm, 0, sizeof(*vm));
	vgic_init_global(VGIC_MAINT_INTID);
	if (v2)
		vgic_select_v2();
	assert_int_equal(vgic_vm_init(vm), 0);
	for (unsigned i = 0; i < n; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		v->vm = vm;
		v->id = i;
		v->mpidr = 1ull << 31 | i;
		assert_int_equal(vgic_vcpu_init(v), 0);
		vm->vcpus[i] = vcpu[i] = v;
		vm->nr_vcpus = i + 1;
	}
	fake.kicked = 0;
}

#endif
