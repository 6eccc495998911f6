"""Coupons, customers, clips and POS transactions."""
