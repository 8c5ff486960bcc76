// `gauntlet backtest` — written later in this issue.
