import pytest

from qemu import Zvm


@pytest.fixture(scope="module")
def zvm(request):
    """The default machine (cortex-a57, 4 CPUs, 2 GiB), booted once per test module; a module
    that needs another board says so in ZVM_ARGS (Zvm's keyword arguments)."""
    vm = Zvm(**getattr(request.module, "ZVM_ARGS", {}))
    vm.boot()
    # Freed heap blocks poisoned for every module's tests: code still using freed memory reads
    # nonsense and fails there, instead of passing on the values it left behind.
    assert "poisoned" in vm.run("kernel mem poison on")
    yield vm
    vm.close()


@pytest.fixture
def fresh_zvm():
    """Factory for a machine of its own, for tests that change or stop it."""
    machines = []

    def make(**kw):
        vm = Zvm(**kw)
        machines.append(vm)
        return vm

    yield make
    for vm in machines:
        vm.close()
