"""Losses for the demo model.

The demo captions repeat ("a red circle" fits hundreds of images), so a batch
holds many true pairs besides the diagonal. Plain CLIP loss would push those
apart; here every caption-image pair that fits is a positive, with the
targets spread evenly over them, in both directions.
"""
import torch
import torch.nn.functional as F


def multi_positive_clip_loss(img, txt, logit_scale, match):
    """img [B, D], txt [T, D] L2-normalised; match [T, B] bool, diagonal set."""
    logits = logit_scale * txt @ img.t()
    m = match.float()
    t2i = m / m.sum(1, keepdim=True)
    i2t = m.t() / m.t().sum(1, keepdim=True)
    loss_t = -(t2i * logits.log_softmax(1)).sum(1).mean()
    loss_i = -(i2t * logits.t().log_softmax(1)).sum(1).mean()
    return 0.5 * (loss_t + loss_i)


def attribute_loss(head, img, labels):
    """Auxiliary: which colours, shapes and colour-shape pairs the picture
    holds, read linearly off the image embedding before normalisation (a unit vector would cap the logits): a direct signal
    for the vision tower, whose shapes are the slow part to learn. Summed over
    the labels (a mean over the ~80 mostly-absent labels would dilute the few
    that matter), averaged over the batch."""
    return F.binary_cross_entropy_with_logits(head(img), labels, reduction="sum") / len(img)


def same_objects_loss(img, combos, logit_scale):
    """Image-to-image term: pictures sharing a (colour, shape) object are
    positives, weighted by the Jaccard overlap of their object sets; the
    picture itself is excluded. Pulls same-object pictures together, which is
    what searching with a photo needs; rows without a positive are skipped.
    combos: [B, K] 0/1 presence of each colour-shape pair."""
    inter = combos @ combos.t()
    count = combos.sum(1, keepdim=True)
    jaccard = inter / (count + count.t() - inter).clamp_min(1)
    eye = torch.eye(len(img), dtype=torch.bool)
    jaccard = jaccard.masked_fill(eye, 0)
    valid = jaccard.sum(1) > 0
    if not bool(valid.any()):
        return img.sum() * 0
    logits = (logit_scale * img @ img.t()).masked_fill(eye, float("-inf"))
    target = jaccard[valid] / jaccard[valid].sum(1, keepdim=True)
    logp = logits[valid].log_softmax(1).masked_fill(eye[valid], 0)
    return -(target * logp).sum(1).mean()
