/* VM name rules (include/zvm/vm_name.h). */
#include <stdbool.h>
#include <stddef.h>
#include <zvm/vm_name.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

const char *vm_name_problem(const char *name)
{
	bool digits = true;
	size_t n = 0;

	if (!name || !*name)
		return "a VM name cannot be empty";
	for (; name[n]; n++) {
		if (n >= VM_NAME_MAX - 1)
			return "a VM name has at most 23 characters";
		if (!name_char(name[n]))
			return "a VM name has only letters, digits, '-', '_' and '.'";
		if (name[n] < '0' || name[n] > '9')
			digits = false;
	}
	if (digits)
		return "a VM name cannot be all digits (the shell would read it as an id)";
	return NULL;
}
