"""Páginas HTML imprimibles y autocontenidas (sin CSS, fuentes ni scripts externos): una sola
hoja de estilo y un solo escapador para todas (reportes, planillas, boletines).

Todo valor pasa por ``e()`` (``html.escape``): un nombre con ``<`` o ``&`` se ve como se
escribió y no puede inyectar marcado. Los números y fechas, como en la tabla (coma decimal,
dd/mm/aaaa).
"""

from __future__ import annotations

import html as _html
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from amauta_cli.salida import Ficha, Vista, texto_humano, valor_de

ESTILO = """
  :root { color-scheme: light; }
  * { box-sizing: border-box; }
  body { font-family: "DejaVu Sans", -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
         margin: 2rem; color: #111; font-size: 11pt; line-height: 1.35; }
  main { max-width: 190mm; margin: 0 auto; }
  body.apaisada main { max-width: none; }
  header { border-bottom: 2px solid #111; margin-bottom: 5mm; padding-bottom: 2mm; }
  header .institucion { font-size: 13pt; font-weight: bold; }
  h1 { font-size: 16pt; margin: 1mm 0 0; }
  h2 { font-size: 12pt; margin: 5mm 0 2mm; }
  .sub { color: #333; margin: .1rem 0; }
  dl.datos { display: grid; grid-template-columns: max-content 1fr max-content 1fr;
             gap: 1.5mm 4mm; margin: 0 0 5mm; }
  dl.datos dt { font-weight: bold; }
  dl.datos dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; margin: 3mm 0 5mm; }
  th, td { border: 1px solid #555; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
  th { background: #e8e8e8; }
  td.der, th.der { text-align: right; font-variant-numeric: tabular-nums; }
  td.centro, th.centro { text-align: center; }
  td.gris, th.gris { background: #d9d9d9; color: #555; }
  table.planilla { font-size: 8pt; table-layout: auto; }
  table.planilla th, table.planilla td { padding: .6mm .8mm; }
  table.planilla td.dia, table.planilla th.dia { text-align: center; min-width: 4.2mm; }
  table.planilla th.dia { font-weight: normal; line-height: 1.1; }
  td.sin-dato { color: #666; font-style: italic; }
  tr.alerta td { background: #fdecea; }
  td.destacado, tr.destacado td { font-weight: bold; }
  tfoot td { font-weight: bold; background: #f4f4f4; }
  .notas, p.reglas { font-size: 9pt; color: #333; }
  .pie { margin-top: 6mm; color: #777; font-size: 8pt; }
  footer.firmas { margin-top: 16mm; display: flex; justify-content: space-between; gap: 10mm; }
  footer.firmas .firma { flex: 1; border-top: 1px solid #111; text-align: center;
                         padding-top: 1.5mm; font-size: 9pt; }
  @page { size: A4; margin: 15mm; }
  @page apaisada { size: A4 landscape; margin: 10mm; }
  body.apaisada { page: apaisada; }
  @media print {
    body { margin: 0; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; }
    th, tfoot td, td.gris, tr.alerta td {
      -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
"""


def e(valor: Any, tipo: str = "texto") -> str:
    """Un valor escapado, escrito como en la tabla (coma decimal, dd/mm/aaaa)."""
    texto = valor if isinstance(valor, str) else texto_humano(valor, tipo)
    return _html.escape(texto, quote=True)


def _clase(c: Any) -> str:
    if c.alinear == "centro":
        return "centro"
    return "der" if c.derecha else "izq"


def _celda(valor: Any, c: Any, cl: str) -> str:
    if valor is None and c.vacio:
        return f'<td class="{cl} sin-dato">{e(c.vacio)}</td>'
    return f'<td class="{cl}">{e(valor, c.tipo)}</td>'


def tabla(
    v: Vista,
    clases_fila: Sequence[str] | None = None,
    clases_columna: Sequence[str] | None = None,
    clase_tabla: str | None = None,
) -> str:
    """La vista como ``<table>`` (con ``<tfoot>`` para los totales). ``clases_fila``: una
    clase CSS por fila (``destacado`` pone la fila en negrita); ``clases_columna``: clases extra
    de cada columna, encabezado y celdas (``gris`` para los días sin clase de una planilla);
    ``clase_tabla``: la clase del ``<table>``."""
    cols = list(v.columnas)
    claves = [c.clave for c in cols]
    clase = [_clase(c) for c in cols]
    if clases_columna:
        clase = [f"{c} {extra}".strip() for c, extra in zip(clase, clases_columna)]
    partes = [f'<table class="{e(clase_tabla)}">' if clase_tabla else "<table>", "<thead><tr>"]
    partes += [f'<th class="{cl}">{e(c.titulo)}</th>' for c, cl in zip(cols, clase)]
    partes.append("</tr></thead><tbody>")
    i_marca = claves.index(v.resaltar) if v.resaltar in claves else 10**9
    for i, fila in enumerate(v.filas):
        extra = clases_fila[i] if clases_fila and i < len(clases_fila) else ""
        if v.resaltar and valor_de(fila, v.resaltar, i_marca):
            extra = (extra + " alerta").strip()
        partes.append(f'<tr class="{extra}">' if extra else "<tr>")
        partes += [_celda(valor_de(fila, k, j), c, cl) for j, (k, c, cl) in enumerate(zip(claves, cols, clase))]
        partes.append("</tr>")
    partes.append("</tbody>")
    if v.totales:
        partes.append("<tfoot><tr>")
        partes += [f'<td class="{cl}">{e(v.totales.get(c.clave), c.tipo)}</td>' for c, cl in zip(cols, clase)]
        partes.append("</tr></tfoot>")
    partes.append("</table>")
    return "".join(partes)


def datos(f: Ficha) -> str:
    """Una ficha como lista de datos en dos columnas (``<dl class="datos">``)."""
    partes = ['<dl class="datos">']
    for c in f.campos:
        partes.append(f"<dt>{e(c.etiqueta)}</dt><dd>{e(c.valor, c.tipo) or '—'}</dd>")
    partes.append("</dl>")
    return "".join(partes)


def parrafo(texto: str, clase: str = "reglas") -> str:
    return f'<p class="{e(clase)}">{e(texto)}</p>'


def pagina(
    titulo: str,
    cuerpo: str,
    subtitulos: Sequence[str] = (),
    encabezado: str | None = None,
    notas: Sequence[str] = (),
    firmas: Sequence[str] = (),
    apaisada: bool = False,
    generado: datetime | None = None,
    titulo_pestana: str | None = None,
) -> str:
    """Una página completa. ``cuerpo`` es HTML ya escapado (p. ej. de ``tabla()``);
    ``encabezado`` (texto) va sobre el título (el nombre de la institución);
    ``titulo_pestana``, el título del documento si no es ``titulo``."""
    generado = generado or datetime.now()
    partes = [
        "<!DOCTYPE html>",
        '<html lang="es">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(titulo_pestana or titulo)}</title>",
        f"<style>{ESTILO}</style>",
        "</head>",
        f'<body class="{"apaisada" if apaisada else "vertical"}">',
        "<main>",
        "<header>",
    ]
    if encabezado:
        partes.append(f'<div class="institucion">{e(encabezado)}</div>')
    partes.append(f"<h1>{e(titulo)}</h1>")
    partes += [f'<p class="sub">{e(s)}</p>' for s in subtitulos]
    partes.append("</header>")
    partes.append(cuerpo)
    if notas:
        partes.append('<div class="notas">' + "".join(f"<p>{e(n)}</p>" for n in notas) + "</div>")
    if firmas:
        partes.append('<footer class="firmas">' + "".join(f'<div class="firma">{e(f)}</div>' for f in firmas) + "</footer>")
    partes.append(f'<p class="pie">Generado por amauta el {generado:%d/%m/%Y %H:%M}.</p>')
    partes += ["</main>", "</body>", "</html>", ""]
    return "\n".join(partes)


def pagina_de_vista(v: Vista, encabezado: str | None = None, apaisada: bool = False, firmas: Sequence[str] = ()) -> str:
    """Una vista como página completa: título, subtítulos, tabla y notas."""
    return pagina(
        v.titulo or "Reporte", tabla(v), subtitulos=v.subtitulos, encabezado=encabezado,
        notas=v.notas, firmas=firmas, apaisada=apaisada,
    )


def escribir(ruta: Path, contenido: str) -> Path:
    """Escribe la página (600: puede tener datos personales) y devuelve la ruta.

    Un problema del sistema (carpeta que no existe, solo lectura, sin permiso, disco lleno)
    sale como ``OSError``: ``fallas.py`` lo explica en español, con qué probar."""
    import os

    ruta = Path(ruta)
    fd = os.open(ruta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(contenido)
    return ruta


def nombre_de_archivo(*partes: str, prefijo: str = "", sufijo: str = ".html") -> str:
    """``nombre_de_archivo("Fernández Lucas", prefijo="boletin-")`` →
    ``'boletin-fernandez-lucas.html'``: solo letras, dígitos y guiones."""
    import re

    from amauta_cli.textos import sin_acentos

    slug = re.sub(r"[^a-z0-9]+", "-", sin_acentos(" ".join(partes))).strip("-")
    return f"{prefijo}{slug}{sufijo}"
