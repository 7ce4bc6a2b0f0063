"""The improvement plan from satisfaction surveys (SPEC §13; guide 8.3.2 改进措施)."""
