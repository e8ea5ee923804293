// Package assessment computes the results of secondary-school students under
// Thông tư 22/2021/TT-BGDĐT (Circular 22/2021 of the Ministry of Education and
// Training on assessing lower- and upper-secondary students), and checks
// results that arrive with imported data against them.
//
// A signed record with a wrong average is worse than a paper one, so the
// package computes exactly, refuses input the rules cannot be applied to, and
// reports disagreements as a *MismatchError naming the student, the subject,
// the field, the value given and the value expected.
//
// It imports only the standard library.
//
// # Numbers
//
// A Score is a count of tenths of a point, so 8,5 is Score(85) and every
// computation is integer arithmetic: no float64 rounding. Scores are whole
// numbers or have one decimal (Điều 5 khoản 3 by the author's recollection;
// CHECK the clause number). ParseScore accepts a decimal comma or point and
// refuses anything else with a *ScoreError and a reason.
// Averages are rounded to one decimal, halves upwards ("làm tròn số"):
// 8,25 becomes 8,3 and 6,45 becomes 6,5.
//
// # Rules implemented
//
// Article numbers are of Thông tư 22/2021/TT-BGDĐT. The confidence notes say
// how sure the author (working from memory of the text, without a copy at
// hand) is of each rule; items marked CHECK need a domain expert's reading of
// the official text.
//
//   - Regular scores (ĐĐGtx) per term, by the subject's periods per year,
//     Điều 6 khoản 2 điểm b: up to 35 → 2; more than 35 up to 70 → 3; more
//     than 70 → 4 (RegularScoreCount). One mid-term (ĐĐGgk) and one final
//     (ĐĐGck) score per term, Điều 7. High confidence in the numbers.
//     CHECK: the article number (Điều 6, "Đánh giá thường xuyên", by the
//     author's recollection; the brief said Điều 7, which is "Đánh giá định
//     kì"). CHECK: TermAverage requires exactly that many regular scores and
//     refuses more, reading "chọn số ĐĐGtx" as fixing the number recorded
//     (teachers may assess more often but choose that many scores for the
//     record); schools that record more would need this relaxed.
//
//   - Term average, Điều 9 khoản 1 điểm b (TermAverage):
//     ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5).
//     Year average (YearAverage): ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, from
//     the recorded, already rounded term averages. Both rounded to one
//     decimal. High confidence.
//
//   - Comment-graded subject, year result = term II result, Điều 9 khoản 1
//     điểm a (CommentYear). Medium-high confidence. The term result of a
//     comment-graded subject (from its individual assessments) is not
//     computed here: it is the teacher's judgement recorded as Đạt/Chưa đạt.
//
//   - Conduct, year result from the two term results, Điều 8 khoản 2
//     (ConductYear); term results are the homeroom teacher's and are taken
//     as given. Medium-high confidence in the table.
//
//   - Learning result per term and per year, Điều 9 khoản 2
//     (LearningResult): Tốt, Khá, Đạt, Chưa đạt with the thresholds 6,5/8,0,
//     5,0/6,5 and 3,5/5,0 and "at least 6 subjects". High confidence. Applied
//     literally: fewer than 6 scored subjects cannot reach Đạt. An exempted
//     subject (miễn học) is simply left out of the list.
//
//   - Adjustment, Điều 9 khoản 3 (in LearningResult): if the learning result
//     is lowered by two or more levels, compared with Tốt or Khá as defined in
//     khoản 2 điểm a and b, only because of the result of a single subject,
//     it is raised to the adjacent level ("điều chỉnh lên mức liền kề").
//     Implemented as: try Tốt, then Khá; if every shortfall against that level
//     concerns one and the same subject (below the level's floor, or
//     comment-graded Chưa đạt) and the "at least 6" count holds, and the
//     computed level is at least two levels lower, the result is the
//     computed level plus one. Tốt→Đạt becomes Khá; Tốt→Chưa đạt becomes
//     Đạt; Khá→Chưa đạt becomes Đạt. Confidence: high that the rule exists
//     and applies to Tốt/Khá, medium-high on the clause number and on
//     "adjacent" meaning one level above the computed level (as in the
//     earlier Thông tư 58/2011, Điều 13 khoản 2, where Giỏi pulled to Yếu
//     became Trung bình). CHECK both.
//
//   - Promotion, Điều 12 (Promotion, FinalPromotion): promoted when year
//     learning and year conduct are Đạt or better and absences are at most
//     45. CHECK (confident, but it differs from DOMAIN.md): the regulation
//     counts sessions ("45 buổi"), not days; the parameter is sessionsAbsent
//     and the unit must match the học bạ column. More than 45 → retained
//     with no re-test. Learning Chưa đạt → re-test, Điều 13; conduct Chưa đạt
//     → summer conduct training, Điều 14; the final decision follows those.
//     CHECK (low confidence): a student failing both learning and conduct is
//     sent to both re-test and summer training here; the earlier Thông tư 58
//     retained such students outright, and Thông tư 22 may still attach a
//     condition on conduct to the re-test. Article numbers 12-14: medium.
//
//   - Re-test, Điều 13 (RetestSubjects, LearningAfterRetest): a student
//     whose year learning result is Chưa đạt may re-test scored subjects with
//     ĐTBmcn below 5,0 and comment-graded subjects at Chưa đạt; each re-test
//     result replaces the subject's year result and the learning result is
//     computed again, adjustment included. Medium confidence: CHECK whether
//     the re-test score replaces ĐTBmcn outright and whether khoản 3 applies
//     to the recomputed result.
//
//   - Titles, Điều 15 (YearTitle): Học sinh Xuất sắc — year conduct Tốt, year
//     learning Tốt, at least 6 subjects with ĐTBmcn ≥ 9,0; Học sinh Giỏi —
//     year conduct Tốt and year learning Tốt. High confidence in the content,
//     medium in the article number.
//
// Not covered: subjects taught in only one term, students with disabilities
// (assessed under their individual plans), completion of the THCS or THPT
// programme, and the choice of which subjects a student re-tests.
package assessment
