"""Reinsurance (guide 6.1.1 (6) 有效利用再保险支持): treaties and what each policy cedes under them."""
