"""Bundles (guide 3.3 保险产品组合策略): several applications of one applicant proposed and priced together."""
