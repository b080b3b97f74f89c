"""Open an ordos_geo QGIS project with QGIS itself and render it (run by /usr/bin/python3).

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 check_project.py PROJECT.qgs OUT.png

Prints one JSON object: every layer (name, valid, crs description, authid, feature count
or raster size, renderer type, symbol types, non-white pixels of the layer rendered alone),
every sidecar QML (loaded, its layer valid, non-white pixels with it), the project CRS and
the render statistics of the whole project (distinct colours, share of non-white pixels).
"""

import json
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRenderContext,
    QgsSymbol,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def drawn(lyr, size=200):
    """Non-white pixels (every 2nd pixel) of ``lyr`` rendered alone over its extent."""
    ms = QgsMapSettings()
    ms.setLayers([lyr])
    ms.setDestinationCrs(lyr.crs())
    ms.setExtent(lyr.extent().buffered(max(lyr.extent().width(), 1e-6) * 0.05))
    ms.setOutputSize(QSize(size, size))
    ms.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    return sum(1 for y in range(0, size, 2) for x in range(0, size, 2)
               if img.pixel(x, y) & 0xFFFFFF != 0xFFFFFF)


app = QgsApplication([], False)
app.initQgis()
project_path, png = Path(sys.argv[1]), Path(sys.argv[2])
prj = QgsProject.instance()
ok = prj.read(str(project_path))
out = {"read": bool(ok), "crs": prj.crs().description(), "crs_valid": prj.crs().isValid(),
       "layers": [], "styles": {}}
layers = []
for lyr in prj.mapLayers().values():
    info = {"name": lyr.name(), "valid": lyr.isValid(), "crs": lyr.crs().description(),
            "authid": lyr.crs().authid(), "source": lyr.source()}
    if isinstance(lyr, QgsVectorLayer):
        info["features"] = lyr.featureCount()
        info["renderer"] = lyr.renderer().type() if lyr.renderer() else None
        info["geometry"] = QgsWkbTypes.geometryDisplayString(lyr.geometryType())
        ctx = QgsRenderContext()
        info["symbols"] = sorted({QgsSymbol.symbolTypeToString(s.type())
                                  for s in lyr.renderer().symbols(ctx)})
    elif isinstance(lyr, QgsRasterLayer):
        info["size"] = [lyr.width(), lyr.height()]
        info["renderer"] = lyr.renderer().type() if lyr.renderer() else None
    info["drawn"] = drawn(lyr)
    out["layers"].append(info)
    layers.append(lyr)
# every sidecar QML loads as the default style of its data source
folder = project_path.parent
for qml in sorted(folder.glob("*.qml")):
    stem = qml.stem
    data = folder / f"{stem}.tif"
    if data.exists():
        lyr = QgsRasterLayer(str(data), stem)
    else:
        data = folder / f"{stem}.gpkg"
        name = {"conflicts": "projects", "wind_turbines": "turbines"}.get(stem, "sites")
        lyr = QgsVectorLayer(f"{data}|layername={name}", stem, "ogr")
    msg, loaded = lyr.loadNamedStyle(str(qml))
    out["styles"][qml.name] = {"loaded": bool(loaded), "message": msg,
                               "layer_valid": lyr.isValid(), "drawn": drawn(lyr),
                               "renderer": lyr.renderer().type() if lyr.renderer() else None,
                               "crs": lyr.crs().description()}
# the project as QGIS shows it on opening: checked layers, in layer-tree order (top first)
root = prj.layerTreeRoot()
shown = [lyr for lyr in root.layerOrder() if root.findLayer(lyr.id()).isVisible()]
out["shown"] = [lyr.name() for lyr in shown]
ms = QgsMapSettings()
ms.setLayers(shown)
ms.setDestinationCrs(prj.crs())
ext = None
for lyr in layers:
    e = ms.layerExtentToOutputExtent(lyr, lyr.extent())
    if ext is None:
        ext = e
    else:
        ext.combineExtentWith(e)
ms.setExtent(ext)
ms.setOutputSize(QSize(800, 600))
ms.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererParallelJob(ms)
job.start()
job.waitForFinished()
img = job.renderedImage()
img.save(str(png), "png")
colours = set()
nonwhite = 0
for y in range(0, img.height(), 4):
    for x in range(0, img.width(), 4):
        c = img.pixel(x, y)
        colours.add(c)
        if c & 0xFFFFFF != 0xFFFFFF:
            nonwhite += 1
out["render"] = {"colours": len(colours),
                 "nonwhite_share": nonwhite / ((img.height() // 4 + 1) * (img.width() // 4 + 1))}
print(json.dumps(out, ensure_ascii=False))
app.exitQgis()
