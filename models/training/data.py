"""The demo dataset as written by `clipsearch demo-data`: images as one uint8
array in memory (cached next to the data as images_u8.npy), captions with
their claims, and which caption fits which image."""
import json
import os

import numpy as np
from PIL import Image

# Real CLIP normalisation (docs/DEMO_MODEL.md, model.json "image").
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
IMAGE_SIZE = 224

SHAPES = ["circle", "square", "triangle", "star", "heart", "cross"]
COLORS = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "black"]
SIZES = ["small", "large"]
POSITIONS = ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"]
_VOCABS = (SHAPES, COLORS, SIZES, POSITIONS)
_KEYS = ("shape", "color", "size", "position")
MAX_OBJECTS = 2
ANY = -1    # a claim that does not mention this attribute
NONE = -2   # no object in this slot


def encode_objects(objs):
    """[MAX_OBJECTS, 4] int array; missing attributes ANY, missing slots NONE."""
    out = np.full((MAX_OBJECTS, 4), NONE, dtype=np.int16)
    for i, o in enumerate(objs[:MAX_OBJECTS]):
        for k, (key, vocab) in enumerate(zip(_KEYS, _VOCABS)):
            out[i, k] = vocab.index(o[key]) if key in o else ANY
    return out


def fits(claims, objects):
    """claims [T, 2, 4], objects [I, 2, 4] -> bool [T, I]: image j holds distinct
    objects matching each of caption i's claims."""
    c = claims[:, None, :, None, :]    # [T, 1, 2, 1, 4]
    o = objects[None, :, None, :, :]   # [1, I, 1, 2, 4]
    m = ((c == ANY) | (c == o)).all(-1) & (o[..., 0] != NONE)   # [T, I, 2 claim, 2 object]
    has = claims[:, :, 0] != NONE      # [T, 2]
    one = m[:, :, 0, :].any(-1)
    two = (m[:, :, 0, 0] & m[:, :, 1, 1]) | (m[:, :, 0, 1] & m[:, :, 1, 0])
    return np.where(has[:, 1:2], two, one)


# captions.jsonl keys of each caption language: own caption, its claims, extras.
CAPTION_KEYS = {"en": ("caption", "describes", "extra_captions"),
                "zh": ("caption_zh", "describes_zh", "extra_captions_zh")}


class DemoData:
    def __init__(self, root, log=print, lang="en", load_images=True):
        self.root = root
        self.rows = []
        with open(os.path.join(root, "captions.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    self.rows.append(json.loads(line))
        self.objects = np.stack([encode_objects(r["objects"]) for r in self.rows])
        # Every caption of image i: its own first, then the extra ones.
        self.captions = []
        own, claims_key, extra = CAPTION_KEYS[lang]
        for r in self.rows:
            caps = [(r[own], r[claims_key])]
            caps += [(c["caption"], c["describes"]) for c in r.get(extra, [])]
            self.captions.append([(text, encode_objects(claims)) for text, claims in caps])
        self.images = self._load_images(log) if load_images else None

    def image_chunks(self, size=2000):
        """Yields (start, uint8 [n, 224, 224, 3]) chunks decoded from the PNGs,
        for sets too large to hold decoded at once."""
        for start in range(0, len(self.rows), size):
            rows = self.rows[start:start + size]
            arr = np.empty((len(rows), IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
            for i, r in enumerate(rows):
                with Image.open(os.path.join(self.root, r["path"])) as im:
                    arr[i] = np.asarray(im.convert("RGB"))
            yield start, arr

    def _load_images(self, log):
        cache = os.path.join(self.root, "images_u8.npy")
        n = len(self.rows)
        if os.path.exists(cache):
            arr = np.load(cache, mmap_mode="r")
            if arr.shape == (n, IMAGE_SIZE, IMAGE_SIZE, 3):
                return np.array(arr)  # into memory: batches gather rows at random
        log("decoding %d images from %s" % (n, self.root))
        arr = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
        for i, r in enumerate(self.rows):
            with Image.open(os.path.join(self.root, r["path"])) as im:
                arr[i] = np.asarray(im.convert("RGB"))
        np.save(cache + ".tmp.npy", arr)
        os.replace(cache + ".tmp.npy", cache)
        return arr

    def single_object(self):
        return np.nonzero(self.objects[:, 1, 0] == NONE)[0]


def to_nchw(images_u8):
    """uint8 [N, 224, 224, 3] -> contiguous uint8 [N, 3, 224, 224], so a
    training batch is one gather and one float conversion."""
    return np.ascontiguousarray(images_u8.transpose(0, 3, 1, 2))


def mean_std():
    import torch

    return torch.tensor(MEAN).view(3), torch.tensor(STD).view(3)


def normalize(images_u8):
    """uint8 NHWC numpy/torch -> float32 NCHW torch, x/255 then (x-mean)/std."""
    import torch

    x = torch.as_tensor(images_u8).permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return x.sub_(mean).div_(std)
