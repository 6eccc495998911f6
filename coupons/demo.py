"""Demo coupons, customers, a site and a POS credential for seed_demo."""


def seed_coupons(seed) -> None:
    """A seed_demo section."""
