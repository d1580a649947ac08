/* Shared-memory region bookkeeping: see include/zvm/shm.h. */
#include <zvm/shm.h>

#include <string.h>

#define SHM_PAGE 4096u

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Parses an unsigned number (hex with 0x, else decimal) up to a stop char. */
static int parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	unsigned base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (!digits)
		return -1;
	*out = v;
	*p = s;
	return 0;
}

int shm_parse_spec(const char *arg, struct shm_spec *out, const char **err)
{
	const char *p = arg;
	size_t n = 0;
	uint64_t kb;

	memset(out, 0, sizeof(*out));
	while (*p && *p != ':') {
		if (!name_char(*p) || n + 1 >= SHM_NAME_MAX) {
			*err = "bad region name (1-15 of A-Z a-z 0-9 _ -)";
			return -1;
		}
		out->name[n++] = *p++;
	}
	if (!n || *p != ':') {
		*err = "expected NAME:SIZE_KB@IPA[:ro]";
		return -1;
	}
	p++;
	if (parse_u64(&p, &kb) || *p != '@') {
		*err = "bad size: expected SIZE_KB@IPA";
		return -1;
	}
	if (kb == 0 || kb % 4 || kb > SHM_MAX_KB) {
		*err = "bad size: a multiple of 4 KiB, at most 65536 KiB";
		return -1;
	}
	out->size = kb * 1024u;
	p++;
	if (parse_u64(&p, &out->ipa)) {
		*err = "bad IPA";
		return -1;
	}
	if (out->ipa % SHM_PAGE) {
		*err = "IPA not page aligned";
		return -1;
	}
	if (out->ipa + out->size < out->ipa) {
		*err = "IPA + size overflows";
		return -1;
	}
	if (*p == ':' && strcmp(p + 1, "ro") == 0)
		out->ro = true;
	else if (*p) {
		*err = "trailing characters: only :ro may follow the IPA";
		return -1;
	}
	return 0;
}

int shm_check_ipa(const struct shm_spec *s, const uint64_t (*busy)[2], size_t n, const char **err)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t b = busy[i][0], e = busy[i][0] + busy[i][1];

		if (s->ipa < e && b < s->ipa + s->size) {
			*err = "IPA range overlaps guest RAM, a device or another region";
			return -1;
		}
	}
	return 0;
}

int shm_member_index(const struct shm_region *r, int vm_id)
{
	for (unsigned i = 0; i < r->refs; i++)
		if (r->members[i] == vm_id)
			return (int)i;
	return -1;
}

static struct shm_region *find(struct shm_table *t, const char *name)
{
	for (int i = 0; i < SHM_MAX_REGIONS; i++)
		if (t->r[i].host && strcmp(t->r[i].name, name) == 0)
			return &t->r[i];
	return NULL;
}

struct shm_region *shm_attach(struct shm_table *t, const struct shm_spec *s, int vm_id,
			      shm_alloc_fn alloc, const char **err)
{
	struct shm_region *r = find(t, s->name);

	if (r) {
		if (r->size != s->size) {
			*err = "region exists with another size";
			return NULL;
		}
		if (shm_member_index(r, vm_id) >= 0) {
			*err = "VM already maps this region";
			return NULL;
		}
		if (r->refs >= SHM_MAX_MEMBERS) {
			*err = "region has too many members";
			return NULL;
		}
		r->members[r->refs++] = vm_id;
		return r;
	}
	for (int i = 0; i < SHM_MAX_REGIONS; i++) {
		if (t->r[i].host)
			continue;
		r = &t->r[i];
		r->host = alloc(s->size);
		if (!r->host) {
			*err = "out of memory for the region";
			return NULL;
		}
		memcpy(r->name, s->name, SHM_NAME_MAX);
		r->size = s->size;
		r->refs = 1;
		r->members[0] = vm_id;
		return r;
	}
	*err = "too many shared regions on the host";
	return NULL;
}

bool shm_detach(struct shm_table *t, struct shm_region *r, int vm_id, shm_free_fn free_fn)
{
	int i = shm_member_index(r, vm_id);

	(void)t;
	if (i < 0)
		return false;
	/* Keep members[0..refs) dense so indices stay small. */
	r->members[i] = r->members[--r->refs];
	if (r->refs)
		return false;
	free_fn(r->host, r->size);
	memset(r, 0, sizeof(*r));
	return true;
}

int shm_parse_list(const char *arg, struct shm_spec *out, unsigned max, unsigned *n,
		   const char **err)
{
	/* One SPEC is at most a name, ':', a size, '@', a 64-bit IPA and ":ro". */
	char one[SHM_NAME_MAX + 48];

	*n = 0;
	for (;;) {
		size_t len = strcspn(arg, ",");
		uint64_t busy[SHM_VM_MAX][2];

		if (len >= sizeof(one)) {
			*err = "a region spec is too long";
			return -1;
		}
		if (*n == max) {
			*err = "too many regions for one VM";
			return -1;
		}
		memcpy(one, arg, len);
		one[len] = '\0';
		if (shm_parse_spec(one, &out[*n], err))
			return -1;
		for (unsigned i = 0; i < *n; i++) {
			if (!strcmp(out[i].name, out[*n].name)) {
				*err = "a region is named twice";
				return -1;
			}
			busy[i][0] = out[i].ipa;
			busy[i][1] = out[i].size;
		}
		if (shm_check_ipa(&out[*n], (const uint64_t(*)[2])busy, *n, err))
			return -1;
		(*n)++;
		arg += len;
		if (!*arg)
			return 0;
		arg++; /* the ',' */
	}
}

uint64_t shm_peer_mask(const struct shm_table *t, int vm_id)
{
	uint64_t m = 0;

	for (int i = 0; i < SHM_MAX_REGIONS; i++) {
		const struct shm_region *r = &t->r[i];

		if (!r->host || shm_member_index(r, vm_id) < 0)
			continue;
		for (unsigned k = 0; k < r->refs; k++)
			if (r->members[k] != vm_id && r->members[k] >= 0 && r->members[k] < 64)
				m |= 1ULL << r->members[k];
	}
	return m;
}

bool shm_db_ring_ok(uint64_t peers, unsigned self, uint64_t val)
{
	return val < 64 && val != self && (peers >> val & 1);
}
