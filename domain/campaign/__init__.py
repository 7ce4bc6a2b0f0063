"""Marketing campaigns (营销活动策划, guide 2.1 (5)): planned for segments, a channel and a period; contacts
with marketing consent only; applications linked; conversion."""
