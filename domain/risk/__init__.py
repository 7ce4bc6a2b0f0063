"""Business risks and key risk indicators (SPEC §13; guide ch. 9 风险识别, 评估与控制)."""
