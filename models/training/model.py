"""A small CLIP: ViT-B/32-shaped vision tower, causal text transformer over the
real CLIP BPE vocabulary, end-of-text pooling, projections, learned logit scale.

Attention is written out with MatMul + Softmax (no fused modules) so the ONNX
export is plain opset-17 ops that every ONNX Runtime backend runs.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 49408
EOT_ID = 49407
CONTEXT_LENGTH = 77


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x, mask=None):
        b, n = x.shape[0], x.shape[1]
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.matmul(q, k.transpose(-1, -2)) * self.head_dim ** -0.5
        if mask is not None:
            att = att + mask
        y = torch.matmul(att.softmax(dim=-1), v)
        return self.out(y.transpose(1, 2).reshape(b, n, self.heads * self.head_dim))


class Block(nn.Module):
    """Pre-norm transformer block, as in CLIP."""

    def __init__(self, width, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, mask=None):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class PatchStem(nn.Module):
    """Embeds each 32x32 patch on its own, like CLIP's single 32x32/32 conv, but
    through small non-overlapping convolutions: a colour branch (4x4/4) and an
    edge branch (4x4/4 oriented-gradient filters per colour channel, rectified
    with Abs so an edge counts whichever side is brighter), then 2x2/2 and
    4x4/4 to the token width. A single linear patch embedding has to find
    shape edges among colour changes of every hue, which is what kept shapes
    slow to learn; the gradient initialisation gives the edge branch those
    features from the first step ("early convolutions", Xiao et al. 2021).
    Still 49 tokens; no patch sees its neighbours."""

    ORIENTATIONS = 8

    def __init__(self, width, c1=24, c2=48):
        super().__init__()
        edges = 3 * self.ORIENTATIONS
        self.color = nn.Conv2d(3, c1, kernel_size=4, stride=4)
        self.edge = nn.Conv2d(3, edges, kernel_size=4, stride=4, groups=3, bias=False)
        self.edge_mix = nn.Conv2d(edges, edges, kernel_size=1)
        self.conv2 = nn.Conv2d(c1 + edges, c2, kernel_size=2, stride=2)
        self.conv3 = nn.Conv2d(c2, width, kernel_size=4, stride=4)
        with torch.no_grad():
            yy, xx = torch.meshgrid(torch.arange(4.0) - 1.5, torch.arange(4.0) - 1.5, indexing="ij")
            for c in range(3):
                for t in range(self.ORIENTATIONS):
                    theta = math.pi * t / self.ORIENTATIONS
                    g = xx * math.cos(theta) + yy * math.sin(theta)
                    self.edge.weight[c * self.ORIENTATIONS + t, 0] = g / g.norm()

    def forward(self, x):
        colour = F.gelu(self.color(x))
        edges = F.gelu(self.edge_mix(self.edge(x).abs()))
        return self.conv3(F.gelu(self.conv2(torch.cat([colour, edges], dim=1))))


class VisionTower(nn.Module):
    def __init__(self, width, layers, heads, dim, image_size=224):
        super().__init__()
        self.stem = PatchStem(width)
        grid = image_size // 32
        scale = width ** -0.5
        self.cls = nn.Parameter(scale * torch.randn(width))
        self.pos = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Linear(width, dim, bias=False)

    def forward(self, pixel_values):
        """pixel_values: [B, 3, 224, 224], CLIP-normalised (the exported graph)."""
        return self._encode(self.stem(pixel_values))

    def forward_raw(self, pixels, mean, std):
        """The same function for training: pixels [B, 3, 224, 224] as raw
        0..255 floats, normalised here (the cached tensors stay uint8)."""
        x = (pixels / 255.0 - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
        return self.forward(x)

    def _encode(self, x):
        x = x.flatten(2).transpose(1, 2)  # [B, 49, W]
        cls = self.cls.reshape(1, 1, -1).expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.pos)
        for blk in self.blocks:
            x = blk(x)
        return self.proj(self.ln_post(x[:, 0]))


class TextTower(nn.Module):
    """Transformer over token ids; `pool` says where the sentence is read (the
    text-input contract's pooling in model.json):
      "argmax": causal attention, read at the first position of the largest id
                (CLIP's end token 49407, as Hugging Face CLIP);
      "first":  attention both ways with padding (pad_id) masked out, read at
                the first position ([CLS]), as BERT-style towers such as
                Chinese-CLIP's, whose end token is not the largest id.
    Either way, padding after the text does not change the embedding."""

    def __init__(self, width, layers, heads, dim, token_dim, vocab_size=VOCAB_SIZE,
                 context_length=CONTEXT_LENGTH, pool="argmax", pad_id=0):
        super().__init__()
        self.pool = pool
        self.pad_id = pad_id
        # Factorised embedding: the 49408-row table is most of the model's
        # bytes, and the demo captions use a few hundred tokens.
        self.token = nn.Embedding(vocab_size, token_dim)
        self.token_up = nn.Linear(token_dim, width, bias=False)
        self.pos = nn.Parameter(0.01 * torch.randn(context_length, width))
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.proj = nn.Linear(width, dim, bias=False)
        causal = torch.full((context_length, context_length), float("-inf")).triu(1)
        self.register_buffer("causal", causal, persistent=False)
        nn.init.normal_(self.token.weight, std=0.02)

    def forward(self, input_ids):
        n = input_ids.shape[1]
        x = self.token_up(self.token(input_ids)) + self.pos[:n]
        if self.pool == "first":
            padding = (input_ids == self.pad_id).unsqueeze(1).unsqueeze(1)  # [B, 1, 1, n]: keys to ignore
            mask = torch.zeros(padding.shape, dtype=x.dtype).masked_fill(padding, float("-inf"))
            for blk in self.blocks:
                x = blk(x, mask)
            return self.proj(self.ln_final(x[:, 0]))
        mask = self.causal[:n, :n]
        for blk in self.blocks:
            x = blk(x, mask)
        # End-of-text pooling, as Hugging Face CLIP: the first position holding
        # the largest id (49407). int32 because ArgMax on int64 is not in every
        # ONNX Runtime build. The one-hot product keeps the graph to plain ops.
        eot = input_ids.to(torch.int32).argmax(dim=-1)
        positions = torch.arange(n, device=input_ids.device)
        onehot = (positions.unsqueeze(0) == eot.unsqueeze(1)).to(x.dtype)  # [B, n]
        pooled = (onehot.unsqueeze(-1) * x).sum(dim=1)
        return self.proj(self.ln_final(pooled))


class DemoClip(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        self.vision = VisionTower(cfg["vision_width"], cfg["vision_layers"], cfg["vision_heads"], cfg["dim"])
        self.text = TextTower(cfg["text_width"], cfg["text_layers"], cfg["text_heads"], cfg["dim"], cfg["token_dim"])
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode(self, pixels_raw, input_ids, mean, std):
        """-> (image embeddings before normalisation, normalised image, normalised text)."""
        raw = self.vision.forward_raw(pixels_raw, mean, std)
        return raw, F.normalize(raw, dim=-1), F.normalize(self.text(input_ids), dim=-1)
