"""JSON, CSV y excel: los formatos de archivo plano, en streaming (memoria constante)."""

from __future__ import annotations

import csv
import json
from typing import IO, Any, Sequence

from amauta_cli.salida import Ficha, Objeto, Vista, texto_humano, texto_script, valor_json, valores

#: Comienzos de celda que Excel (y LibreOffice, Google Sheets) leen como fórmula, y el ``'``
#: que los neutraliza: un solo hogar con los importadores, que lo quitan (``vocabulario``).
from amauta_cli.vocabulario import PELIGROSOS, neutralizar  # noqa: E402,F401


def json_(partes: Sequence[Vista | Ficha], out: IO[str]) -> int:
    """Una vista sola: una lista de objetos. Una ficha sola: un objeto. Varias: un objeto con
    los campos de las fichas y cada vista bajo su ``clave_json``."""
    if len(partes) == 1 and isinstance(partes[0], Vista):
        return _json_lista(partes[0], out)
    if len(partes) == 1 and isinstance(partes[0], Objeto):
        out.write(json.dumps(valor_json(partes[0].valor), ensure_ascii=False, indent=2) + "\n")
        out.flush()
        return 0
    objeto: dict[str, Any] = {}
    n = 0
    for p in partes:
        if isinstance(p, Objeto):
            valor = valor_json(p.valor)
            objeto.update(valor if isinstance(valor, dict) else {"datos": valor})
        elif isinstance(p, Ficha):
            objeto.update({c.clave: valor_json(c.valor) for c in p.campos})
        else:
            claves = [c.clave for c in p.columnas]
            filas = [{k: valor_json(x) for k, x in zip(claves, vals)} for vals in valores(p.filas, claves)]
            objeto[p.clave_json] = filas
            n += len(filas)
    out.write(json.dumps(objeto, ensure_ascii=False, indent=2) + "\n")
    out.flush()
    return n


def _json_lista(v: Vista, out: IO[str]) -> int:
    claves = [c.clave for c in v.columnas]
    n = 0
    out.write("[")
    dumps = json.dumps
    for vals in valores(v.filas, claves):
        out.write(("," if n else "") + "\n  ")
        out.write(dumps({k: valor_json(x) for k, x in zip(claves, vals)}, ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    out.flush()
    return n


def csv_(partes: Sequence[Vista | Ficha], out: IO[str], excel: bool) -> int:
    """CSV para scripts (claves, ISO, punto decimal) o para Excel en español (títulos, ``;``,
    coma decimal, dd/mm/aaaa, BOM, CRLF, fórmulas neutralizadas). Varias partes: separadas
    por una línea vacía."""
    if excel:
        out.write("\ufeff")
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    else:
        w = csv.writer(out, lineterminator="\n")
    n = 0
    partes = [p for p in partes if not isinstance(p, Objeto)]
    for k, p in enumerate(partes):
        if k:
            w.writerow([])
        if isinstance(p, Ficha):
            w.writerow(["Campo", "Valor"] if excel else ["campo", "valor"])
            for c in p.campos:
                if excel:
                    w.writerow([neutralizar(c.etiqueta), _celda_excel(c.valor, c.tipo, None)])
                else:
                    w.writerow([c.clave, texto_script(c.valor)])
            continue
        cols = list(p.columnas)
        claves = [c.clave for c in cols]
        if excel:
            w.writerow([neutralizar(c.titulo) for c in cols])
            tipos = [(c.tipo, c.decimales) for c in cols]
            for vals in valores(p.filas, claves):
                w.writerow([_celda_excel(x, t, d) for x, (t, d) in zip(vals, tipos)])
                n += 1
            if p.totales:
                w.writerow([_celda_excel(p.totales.get(c.clave), c.tipo, c.decimales) for c in cols])
        else:
            w.writerow(claves)
            for vals in valores(p.filas, claves):
                w.writerow([x if type(x) is str else texto_script(x) for x in vals])
                n += 1
            if p.totales:  # la fila de totales, al final (como la ve quien lee la tabla)
                w.writerow([texto_script(p.totales.get(k)) for k in claves])
    out.flush()
    return n


def _celda_excel(valor: Any, tipo: str, decimales: int | None) -> str:
    """Números sin punto de miles (Excel en español los lee como número), coma decimal,
    fechas dd/mm/aaaa; el texto, neutralizado."""
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, (int, float)) and tipo not in ("texto", "nombre", "email", "codigo"):
        if tipo == "porcentaje":
            return texto_humano(valor, "decimal", decimales).replace(".", "")
        if isinstance(valor, int) or tipo == "entero":
            return str(int(valor))
        texto = f"{valor:.{2 if decimales is None else decimales}f}"
        if decimales is None:
            texto = texto.rstrip("0").rstrip(".")
        return texto.replace(".", ",")
    if tipo in ("tamano", "duracion"):
        return str(valor)
    return neutralizar(texto_humano(valor, tipo, decimales))
