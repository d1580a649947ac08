/* The learning switch (include/zvm/virtio/vswitch.h). Linear table walks: 256 entries of a
 * few bytes, a small fraction of the cost of copying the frame itself. */
#include <string.h>
#include <zvm/virtio/vswitch.h>

static bool is_group(const uint8_t *mac)
{
	return mac[0] & 1; /* multicast and broadcast: the I/G bit */
}

void vswitch_init(struct vswitch *sw)
{
	memset(sw, 0, sizeof(*sw));
}

int vswitch_attach(struct vswitch *sw)
{
	for (unsigned p = 0; p < VSWITCH_PORTS; p++)
		if (!(sw->ports & (1ULL << p))) {
			sw->ports |= 1ULL << p;
			return (int)p;
		}
	return -1;
}

void vswitch_detach(struct vswitch *sw, unsigned p)
{
	if (p >= VSWITCH_PORTS)
		return;
	sw->ports &= ~(1ULL << p);
	for (unsigned i = 0; i < VSWITCH_MACS; i++)
		if (sw->macs[i].used && sw->macs[i].port == p)
			sw->macs[i].used = false;
}

static struct vswitch_mac *lookup(struct vswitch *sw, const uint8_t *mac, uint64_t now)
{
	for (unsigned i = 0; i < VSWITCH_MACS; i++) {
		struct vswitch_mac *e = &sw->macs[i];

		if (!e->used || memcmp(e->mac, mac, ETH_ALEN))
			continue;
		if (now - e->seen > VSWITCH_AGE_TICKS) {
			e->used = false; /* aged out: flood until heard from again */
			return NULL;
		}
		return e;
	}
	return NULL;
}

static void learn(struct vswitch *sw, const uint8_t *mac, unsigned port, uint64_t now)
{
	struct vswitch_mac *e = lookup(sw, mac, now), *victim = NULL;

	if (e) {
		if (e->port != port)
			sw->moved++; /* the address moved (a VM re-created): follow it */
		e->port = (uint8_t)port;
		e->seen = now;
		return;
	}
	for (unsigned i = 0; i < VSWITCH_MACS; i++) {
		struct vswitch_mac *c = &sw->macs[i];

		if (!c->used) {
			victim = c;
			break;
		}
		if (!victim || c->seen < victim->seen)
			victim = c;
	}
	memcpy(victim->mac, mac, ETH_ALEN);
	victim->port = (uint8_t)port;
	victim->seen = now;
	victim->used = true;
	sw->learnt++;
}

vswitch_mask_t vswitch_forward(struct vswitch *sw, unsigned from, const uint8_t *frame, size_t len,
			       uint64_t now)
{
	const uint8_t *dst = frame, *src = frame + ETH_ALEN;
	struct vswitch_mac *e;

	if (len < ETH_HLEN || from >= VSWITCH_PORTS || !(sw->ports & (1ULL << from)))
		return 0;
	if (!is_group(src))
		learn(sw, src, from, now);
	if (!is_group(dst)) {
		e = lookup(sw, dst, now);
		if (e) {
			sw->unicast++;
			/* Behind the port it came from: a switch does not send it back. */
			return e->port == from ? 0 : 1ULL << e->port;
		}
	}
	sw->flooded++;
	return sw->ports & ~(1ULL << from);
}
