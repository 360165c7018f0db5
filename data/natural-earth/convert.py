"""Convert Natural Earth 1:50m countries (TopoJSON from the npm package world-atlas 2.0.2) into the
compact arrays flowsim draws its maps from: ``src/flowsim/data/countries_50m.npz``.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python data/natural-earth/convert.py package/countries-50m.json src/flowsim/data/countries_50m.npz

The output holds ``points`` (float32 [n, 2], longitude and latitude) and ``rings`` (int32 [m, 2],
start and end of each polygon ring in ``points``): every ring of every country, outer rings and
holes alike (holes are rare at this scale and drawn filled). Natural Earth is in the public
domain; world-atlas is ISC-licensed (see LICENSE in this folder).
"""

from __future__ import annotations

import json
import sys

import numpy as np


def decode_arcs(topo: dict) -> list[np.ndarray]:
    scale = np.asarray(topo["transform"]["scale"], float)
    translate = np.asarray(topo["transform"]["translate"], float)
    arcs = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, float), axis=0)
        arcs.append(q * scale + translate)
    return arcs


def ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for i in indices:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if not parts else a[1:])
    return np.concatenate(parts)


def main(src: str, dst: str) -> None:
    topo = json.load(open(src, encoding="utf-8"))
    arcs = decode_arcs(topo)
    rings = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs", [])
        if geom["type"] == "Polygon":
            polys = [polys]
        for poly in polys if geom["type"] in ("Polygon", "MultiPolygon") else []:
            rings.extend(ring(r, arcs) for r in poly)
    lengths = np.array([len(r) for r in rings])
    ends = np.cumsum(lengths)
    index = np.stack([ends - lengths, ends], axis=1).astype(np.int32)
    points = np.concatenate(rings).astype(np.float32)
    np.savez_compressed(dst, points=points, rings=index)
    print(f"{len(rings)} rings, {len(points)} points -> {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
