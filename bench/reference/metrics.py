"""numpy/scipy reference of gankit's FID, precision/recall and density/coverage,
and (given the two sets' 10-class logits) the classifier score and the logits' FID.

Reads two float32 feature files (raw little-endian, rows × dims given on the
command line) and prints JSON. FID as pytorch-fid computes it (scipy's sqrtm);
k-NN precision/recall (k=3, distance <= radius) as the official improved-P&R code;
P-precision/P-recall (k=3, a=1.2) as Park & Kim's paper defines them;
density/coverage (k=5, strict <) as the official prdc code. Distances are
exact float64 (scipy's cdist on float64 copies).

/usr/bin/python3 bench/reference/metrics.py real.f32 fake.f32 DIMS [real_logits.f32 fake_logits.f32]
"""
import json
import sys

import numpy as np
from scipy import linalg
from scipy.spatial.distance import cdist
from scipy.special import log_softmax


def fid(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def radii(x, k):
    d = cdist(x, x)
    return np.partition(d, k, axis=1)[:, k]  # column 0 is the point itself


def prdc(real, fake, k_pr=3, k_dc=5):
    d_rf = cdist(real, fake)
    r_real3, r_fake3, r_real5 = radii(real, k_pr), radii(fake, k_pr), radii(real, k_dc)
    precision = (d_rf <= r_real3[:, None]).any(axis=0).mean()
    recall = (d_rf <= r_fake3[None, :]).any(axis=1).mean()
    density = (1.0 / k_dc) * (d_rf < r_real5[:, None]).sum(axis=0).mean()
    coverage = (d_rf.min(axis=1) < r_real5).mean()
    return dict(precision=float(precision), recall=float(recall), density=float(density), coverage=float(coverage))


def probabilistic_pr(real, fake, k=3, a=1.2):
    """One ball radius per set, a x the mean k-th neighbour distance; membership 1 - d/R inside it."""
    d_rf = cdist(real, fake)
    r_real, r_fake = a * radii(real, k).mean(), a * radii(fake, k).mean()
    in_real = 1 - np.prod(1 - np.clip(1 - d_rf / r_real, 0, None), axis=0)
    in_fake = 1 - np.prod(1 - np.clip(1 - d_rf / r_fake, 0, None), axis=1)
    return dict(pPrecision=float(in_real.mean()), pRecall=float(in_fake.mean()))


def classifier_score(logits):
    """exp(E_x KL(p(y|x) || p(y))) over the whole set, as TF-GAN's classifier_score without splits."""
    log_p = log_softmax(logits, axis=1)
    log_marginal = np.log(np.exp(log_p).mean(0))
    return float(np.exp((np.exp(log_p) * (log_p - log_marginal)).sum(1).mean()))


def main():
    real_path, fake_path, dims = sys.argv[1], sys.argv[2], int(sys.argv[3])
    real = np.fromfile(real_path, dtype="<f4").reshape(-1, dims).astype(np.float64)
    fake = np.fromfile(fake_path, dtype="<f4").reshape(-1, dims).astype(np.float64)
    result = dict(fid=fid(real, fake), **prdc(real, fake), **probabilistic_pr(real, fake))
    if len(sys.argv) > 5:
        real_logits = np.fromfile(sys.argv[4], dtype="<f4").reshape(-1, 10).astype(np.float64)
        fake_logits = np.fromfile(sys.argv[5], dtype="<f4").reshape(-1, 10).astype(np.float64)
        result.update(classifierScore=classifier_score(fake_logits), logitFid=fid(real_logits, fake_logits))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
