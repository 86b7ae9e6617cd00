"""Páginas HTML imprimibles (boletines): autocontenidas, sin recursos externos.

Todo valor que viene de la base pasa por ``html.escape``. Las notas se escriben con
coma decimal, como se leen en un boletín argentino.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import TYPE_CHECKING, Iterable

from amauta_cli.parsing import sin_acentos

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.services.calificaciones import Boletin

_ESTILO = """
  @page { size: A4; margin: 18mm 15mm; }
  * { box-sizing: border-box; }
  body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #111; margin: 0;
         font-size: 11pt; line-height: 1.35; }
  main { max-width: 190mm; margin: 0 auto; padding: 12mm 0; }
  header { border-bottom: 2px solid #111; margin-bottom: 6mm; padding-bottom: 3mm; }
  header .institucion { font-size: 13pt; font-weight: bold; }
  h1 { font-size: 16pt; margin: 2mm 0 0; }
  dl.datos { display: grid; grid-template-columns: max-content 1fr max-content 1fr;
             gap: 1.5mm 4mm; margin: 0 0 6mm; }
  dl.datos dt { font-weight: bold; }
  dl.datos dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 5mm; }
  th, td { border: 1px solid #444; padding: 1.8mm 2.5mm; text-align: center; }
  th { background: #e8e8e8; }
  td.materia, th.materia { text-align: left; }
  td.desaprobado { font-weight: bold; }
  td.sin-nota { color: #666; font-style: italic; }
  tfoot td { font-weight: bold; background: #f4f4f4; }
  p.reglas { font-size: 9pt; color: #333; }
  footer { margin-top: 18mm; display: flex; justify-content: space-between; gap: 10mm; }
  footer .firma { flex: 1; border-top: 1px solid #111; text-align: center; padding-top: 1.5mm;
                  font-size: 9pt; }
  @media print {
    main { padding: 0; }
    th, tfoot td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
"""


def _e(valor: object) -> str:
    return html.escape("" if valor is None else str(valor), quote=True)


def _nota(valor: float | None) -> str:
    from amauta_cli.services.calificaciones import formatear_nota

    return formatear_nota(valor)


def _regla_final(reglas: dict) -> str:
    if reglas.get("nota_final") == "ponderado" and reglas.get("pesos"):
        return "promedio ponderado de los períodos"
    return "promedio de los períodos"


def pagina_boletin(b: "Boletin", emitido: date | None = None) -> str:
    """El boletín de un estudiante como una página HTML completa."""
    emitido = emitido or date.today()
    nombre = f"{b.apellido}, {b.nombre}"
    curso = " ".join(x for x in (b.grado, b.seccion) if x) or "—"
    cabecera_periodos = "".join(f"<th>{_e(p)}</th>" for p in b.periodos)
    filas = []
    for m in b.materias:
        celdas = "".join(
            '<td class="sin-nota">sin nota</td>' if m.notas.get(p) is None else f"<td>{_e(_nota(m.notas[p]))}</td>"
            for p in b.periodos
        )
        clase = m.condicion.replace(" ", "-")
        filas.append(
            f'<tr><td class="materia">{_e(m.materia)}</td>{celdas}'
            f'<td class="{_e(clase)}">{_e(_nota(m.promedio))}</td>'
            f'<td class="{_e(clase)}">{_e(m.condicion)}</td></tr>'
        )
    if not filas:
        filas.append(
            f'<tr><td class="sin-nota" colspan="{len(b.periodos) + 3}">'
            "El grupo todavía no tiene calificaciones.</td></tr>"
        )
    aprobacion = _nota(float(b.reglas["nota_aprobacion"]))
    return f"""<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Boletín de calificaciones — {_e(nombre)}</title>
<style>{_ESTILO}</style>
</head>
<body>
<main>
<header>
  <div class="institucion">{_e(b.institucion)}</div>
  <h1>Boletín de calificaciones</h1>
</header>
<dl class="datos">
  <dt>Estudiante</dt><dd>{_e(nombre)}</dd>
  <dt>Grupo</dt><dd>{_e(b.grupo)}</dd>
  <dt>Email</dt><dd>{_e(b.email)}</dd>
  <dt>Grado y sección</dt><dd>{_e(curso)}</dd>
  <dt>Matrícula</dt><dd>{_e(b.matricula or "—")}</dd>
  <dt>Emitido</dt><dd>{_e(emitido.strftime("%d/%m/%Y"))}</dd>
</dl>
<table>
  <thead>
    <tr><th class="materia">Materia</th>{cabecera_periodos}<th>Promedio</th><th>Condición</th></tr>
  </thead>
  <tbody>
    {"".join(filas)}
  </tbody>
  <tfoot>
    <tr><td class="materia" colspan="{len(b.periodos) + 1}">Promedio general</td>
        <td>{_e(_nota(b.promedio_general))}</td>
        <td>{_e(_resumen(b))}</td></tr>
    {_asistencia_html(b)}
  </tfoot>
</table>
{_observaciones_html(b)}
<p class="reglas">Notas en la escala de 10. Nota final de cada materia: {_e(_regla_final(b.reglas))},
redondeada a {_e(b.reglas["decimales"])} decimales. Se aprueba con {_e(aprobacion)} o más.</p>
<footer>
  <div class="firma">Firma del docente</div>
  <div class="firma">Firma de la dirección</div>
  <div class="firma">Firma del responsable</div>
</footer>
</main>
</body>
</html>
"""


def _asistencia_html(b: "Boletin") -> str:
    """Las filas de asistencia del boletín: por período y, junto a la nota final, la del año."""
    from amauta_cli import textos

    if b.asistencia_anual is None:
        return ""
    por = {a.periodo: a for a in b.asistencia}
    anual = b.asistencia_anual
    filas = []
    for titulo, valor, fmt in (
        ("Asistencia: días de clase", lambda a: a.registrados, textos.numero),
        ("Asistencia: inasistencias", lambda a: a.inasistencias, textos.numero),
        ("Asistencia: porcentaje", lambda a: a.porcentaje, textos.porcentaje),
    ):
        celdas = "".join(
            '<td class="sin-nota">—</td>' if por.get(p) is None or valor(por[p]) is None
            else f"<td>{_e(fmt(valor(por[p])))}</td>"
            for p in b.periodos
        )
        total = valor(anual)
        extra = ""
        if titulo.endswith("inasistencias") and anual.justificadas:
            extra = f"{textos.numero(anual.justificadas)} justificadas"
        filas.append(
            f'<tr class="asistencia"><td class="materia">{_e(titulo)}</td>{celdas}'
            f"<td>{_e(fmt(total) if total is not None else '—')}</td><td>{_e(extra)}</td></tr>"
        )
    return "\n    ".join(filas)


def _observaciones_html(b: "Boletin") -> str:
    obs = [(m.materia, p, o) for m in b.materias for p, o in getattr(m, "observaciones", {}).items()]
    if not obs:
        return ""
    items = "".join(f"<li><b>{_e(m)}, {_e(p)}:</b> {_e(o)}</li>" for m, p, o in obs)
    return f'<h2>Observaciones</h2>\n<ul class="observaciones">{items}</ul>'


def _resumen(b: "Boletin") -> str:
    a = f"{b.aprobadas} {'aprobada' if b.aprobadas == 1 else 'aprobadas'}"
    d = f"{b.desaprobadas} {'desaprobada' if b.desaprobadas == 1 else 'desaprobadas'}"
    return f"{a}, {d}"


def nombre_archivo(b: "Boletin") -> str:
    """``boletin-fernandez-lucas.html``: solo letras, dígitos y guiones."""
    base = sin_acentos(f"{b.apellido} {b.nombre}")
    slug = re.sub(r"[^a-z0-9]+", "-", base).strip("-") or "estudiante"
    return f"boletin-{slug}.html"


def nombres_unicos(boletines: Iterable["Boletin"]) -> list[str]:
    """Un nombre de archivo por boletín; si dos coinciden, se agrega la parte local del email."""
    lista = list(boletines)
    nombres = [nombre_archivo(b) for b in lista]
    repetidos = {n for n in nombres if nombres.count(n) > 1}
    usados: set[str] = set()
    resultado = []
    for b, n in zip(lista, nombres):
        if n in repetidos:
            local = re.sub(r"[^a-z0-9]+", "-", sin_acentos(b.email.split("@")[0])).strip("-")
            n = n[: -len(".html")] + f"-{local}.html"
        base, i = n[: -len(".html")], 2
        while n in usados:
            n, i = f"{base}-{i}.html", i + 1
        usados.add(n)
        resultado.append(n)
    return resultado
