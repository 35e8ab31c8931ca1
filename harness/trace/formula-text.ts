// The trace score's formula in words, without zod: `trace --help` states it, and
// trace/score.ts puts it in every trace document.

export const FORMULA_TEXT =
  "run score = sum(weight[i] * value[i]) / sum(weight[i]) over the run's items whose status is not " +
  "not_applicable, with value present=1, partial=0.5, missing=0; selection score = mean of the run scores " +
  "(each run counts once). Scores lie in [0, 1].";
