"""What ``sentclf distill`` is made of: the texts the teacher labels (:mod:`.texts`: unlabeled files
read in bounded memory and deduplicated), the augmentation that makes more of them when they are
scarce (:mod:`.augment`), and the teacher's probabilities turned into the student's targets
(:mod:`.targets`). The verb is :mod:`sentclf.classify.distillation`; the student itself is
:mod:`sentclf.classify.models.student`."""
