"""Everything `seed_demo` builds for a newcomer's `make run`: a catalogue, scale items,
coupons, customers and sales, pushed and rung up through the real services. On top of every
app; no product code imports it. Also the commands that play the other side for a demo
(`simulate_catapult`, `fake_cognition`)."""
