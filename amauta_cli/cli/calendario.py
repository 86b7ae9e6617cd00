"""``amauta calendario``: el calendario escolar (días de clase, feriados, receso, asuetos).

Delgado: lee las opciones, pide el calendario a ``services.calendario`` y lo describe como
vistas para ``salida``. Sin ``--institucion`` no abre la base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from amauta_cli.cli.comun import OpcionFormato, contexto, error_uso
from amauta_cli.salida import Formato

if TYPE_CHECKING:  # pragma: no cover
    from datetime import date

    from amauta_cli.services.calendario import VistaCalendario

app = typer.Typer(
    help=(
        "El calendario escolar: días de clase, feriados nacionales (y de la jurisdicción), "
        "receso invernal, asuetos y jornadas, según el archivo de ajustes."
    ),
    no_args_is_help=True,
)



@app.callback()
def _grupo() -> None:
    """El calendario escolar (un grupo, aunque hoy tenga un solo comando)."""


_TABLA = ("tabla",)
_SCRIPTS = ("json", "csv", "excel")


def _periodo(mes: str | None, anio: int | None) -> tuple["date", "date", bool]:
    """(desde, hasta, es_un_mes) de ``--mes``/``--anio`` (sin ninguno: el mes actual)."""
    import calendar as cal
    from datetime import date

    from amauta_cli import textos
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.parsing import parsear_mes

    hoy = date.today()
    if mes is None:
        if anio is None:
            return date(hoy.year, hoy.month, 1), date(hoy.year, hoy.month, cal.monthrange(hoy.year, hoy.month)[1]), True
        return date(anio, 1, 1), date(anio, 12, 31), False
    texto = mes.strip()
    nombres = [textos.nombre_mes(i) for i in range(1, 13)]
    numero = None
    if texto.isdigit() and 1 <= int(texto) <= 12:
        numero = int(texto)
    elif textos.sin_acentos(texto) in nombres:
        numero = nombres.index(textos.sin_acentos(texto)) + 1
    if numero is not None:
        a = anio or hoy.year
        return date(a, numero, 1), date(a, numero, cal.monthrange(a, numero)[1]), True
    if anio is not None:
        error_uso("Con --anio, --mes va como número o nombre (--mes 7 --anio 2026), o use solo --mes 2026-07.")
    try:
        desde, hasta = parsear_mes(texto, "--mes")
    except DatosInvalidos:
        error_uso(f"--mes: '{texto}' no es un mes (use 2026-07, 07/2026, 7 o julio).")
    return desde, hasta, True


@app.command("ver")
def ver(
    mes: Annotated[
        Optional[str],
        typer.Option("--mes", "-m", metavar="MES", help="Un mes: 2026-07, 07/2026, o 7 / julio (del año actual o de --anio).", show_default=False),
    ] = None,
    anio: Annotated[
        Optional[int],
        typer.Option("--anio", "-a", metavar="AÑO", min=1900, max=2200, help="Un año entero (o el año de --mes 7).", show_default=False),
    ] = None,
    institucion: Annotated[
        Optional[str],
        typer.Option(
            "--institucion", "-i", metavar="INSTITUCION", help="El calendario de esta institución (nombre o id); sin ella, el general.",
            show_default=False,
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Los días de clase de un mes (o de un año) y por qué los demás no lo son.

    Ejemplos:

      amauta calendario ver --mes 2026-07

      amauta calendario ver --anio 2026 --institucion "Escuela Nº 42" --formato csv
    """
    from amauta_cli import salida
    from amauta_cli.services import calendario as svc

    desde, hasta, un_mes = _periodo(mes, anio)
    ajustes = svc.leer_ajustes()
    if institucion is not None:
        from amauta_cli.services.comun import buscar_institucion

        with contexto().sesion(solo_lectura=True) as s:
            inst = buscar_institucion(s, institucion)
            nombre, id_ = inst.nombre, inst.id
        cal = svc.calendario(ajustes, nombre, id_)
    else:
        cal = svc.calendario(ajustes)
    v = svc.ver(cal, desde, hasta)
    partes: list[Any] = [_ficha(v)]
    if un_mes:
        partes.append(_grilla(v))
    else:
        partes.append(_resumen_anual(v))
    partes.append(_tramos(v))
    partes.append(_lista(v))
    salida.emitir(partes, formato)


def _ficha(v: "VistaCalendario") -> Any:
    from amauta_cli.salida import Campo, Ficha

    campos = [
        Campo("institucion", "Institución", v.institucion),
        Campo("jurisdiccion", "Jurisdicción", v.jurisdiccion),
        Campo("desde", "Desde", v.desde, "fecha"),
        Campo("hasta", "Hasta", v.hasta, "fecha"),
        Campo("dias_de_clase", "Días de clase", v.dias_de_clase, "entero"),
        Campo("ciclos", "Ciclo lectivo", [{"anio": a, "inicio": i, "fin": f} for a, i, f in v.ciclos]),
        Campo("recesos", "Receso invernal", [{"desde": d, "hasta": h} for d, h in v.recesos]),
    ]
    return Ficha(campos, solo_en=("json",))


def _subtitulos(v: "VistaCalendario") -> list[str]:
    from amauta_cli import textos

    subs = [f"Institución: {v.institucion}" if v.institucion else "Calendario general (sin --institucion)"]
    if v.jurisdiccion:
        subs.append(f"Jurisdicción: {v.jurisdiccion} (feriados nacionales y provinciales)")
    for a, i, f in v.ciclos:
        subs.append(f"Ciclo lectivo {a}: del {textos.fecha(i)} al {textos.fecha(f)}")
    for d, h in v.recesos:
        subs.append(f"Receso invernal: del {textos.fecha(d)} al {textos.fecha(h)}")
    return subs


def _grilla(v: "VistaCalendario") -> Any:
    """El mes en una grilla de lunes a domingo: el número de cada día y, si no hay clase, una letra."""
    from amauta_cli import textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import calendario as svc

    dias_semana = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
    columnas = [Columna(f"d{i}", t, "codigo", prioridad=0) for i, t in enumerate(dias_semana)]
    semanas: list[dict[str, str]] = []
    semana: dict[str, str] = {}
    for d in v.dias:
        if d.fecha.weekday() == 0 and semana:
            semanas.append(semana)
            semana = {}
        letra = svc.LETRAS[d.tipo][0] if d.tipo in svc.LETRAS else " "
        semana[f"d{d.fecha.weekday()}"] = f"{d.fecha.day:>2} {letra}"
    if semana:
        semanas.append(semana)
    usados = sorted({d.tipo for d in v.dias if d.tipo in svc.LETRAS}, key=list(svc.LETRAS).index)
    leyenda = " · ".join(f"{svc.LETRAS[t][0]} {svc.LETRAS[t][1]}" for t in usados)
    notas = [
        f"{textos.plural(v.dias_de_clase, 'día de clase', 'días de clase')} en "
        f"{textos.nombre_mes(v.desde.month, v.desde.year)}."
        + (f" Referencias: {leyenda}; sábados y domingos, sin letra." if leyenda else "")
    ]
    return Vista(
        columnas, semanas, titulo=f"Calendario escolar de {textos.nombre_mes(v.desde.month, v.desde.year)}",
        subtitulos=_subtitulos(v), notas=notas, solo_en=_TABLA,
    )


def _resumen_anual(v: "VistaCalendario") -> Any:
    from amauta_cli import textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import calendario as svc

    filas = []
    for mes in range(1, 13):
        dias = [d for d in v.dias if d.fecha.month == mes]
        if not dias:
            continue
        habiles = [d for d in dias if d.fecha.weekday() < 5]
        filas.append({
            "mes": textos.nombre_mes(mes),
            "clase": sum(1 for d in dias if d.de_clase),
            "feriados": sum(1 for d in habiles if d.tipo == svc.FERIADO),
            "receso": sum(1 for d in habiles if d.tipo == svc.RECESO),
            "no_laborables": sum(1 for d in habiles if d.tipo == svc.NO_LABORABLE),
            "fuera": sum(1 for d in habiles if d.tipo == svc.FUERA_DEL_CICLO),
        })
    columnas = [
        Columna("mes", "Mes", prioridad=0),
        Columna("clase", "Días de clase", "entero", prioridad=0),
        Columna("feriados", "Feriados (lun. a vie.)", "entero"),
        Columna("receso", "Receso", "entero"),
        Columna("no_laborables", "No laborables", "entero"),
        Columna("fuera", "Fuera del ciclo", "entero"),
    ]
    totales = {"mes": "Total", **{c.clave: sum(f[c.clave] for f in filas) for c in columnas[1:]}}
    return Vista(
        columnas, filas, titulo=f"Calendario escolar de {v.desde.year}", subtitulos=_subtitulos(v),
        totales=totales, solo_en=_TABLA,
    )


def _tramos(v: "VistaCalendario") -> Any:
    from amauta_cli.salida import Columna, Vista

    filas = [
        {"desde": t.desde, "hasta": t.hasta if t.hasta != t.desde else None, "dia": _dia(t.desde) if t.hasta == t.desde else "",
         "dias": t.dias, "motivo": t.motivo}
        for t in v.tramos
    ]
    return Vista(
        [
            Columna("desde", "Fecha", "fecha", prioridad=0),
            Columna("hasta", "Hasta", "fecha"),
            Columna("dia", "Día"),
            Columna("dias", "Días hábiles", "entero"),
            Columna("motivo", "Por qué no hay clase", "texto", prioridad=0),
        ],
        filas,
        titulo="Días sin clase (de lunes a viernes, y los feriados)",
        vacio="Todos los días de lunes a viernes son de clase.",
        solo_en=_TABLA,
    )


def _dia(d: "date") -> str:
    from amauta_cli import textos

    return textos.dia_semana(d)


def _lista(v: "VistaCalendario") -> Any:
    from amauta_cli.salida import Columna, Vista

    filas = [
        {"fecha": d.fecha, "dia": _dia(d.fecha), "de_clase": d.de_clase, "tipo": d.tipo, "motivo": d.descripcion or None}
        for d in v.dias
    ]
    return Vista(
        [
            Columna("fecha", "Fecha", "fecha"),
            Columna("dia", "Día"),
            Columna("de_clase", "De clase", "bool"),
            Columna("tipo", "Tipo", "codigo"),
            Columna("motivo", "Motivo"),
        ],
        filas,
        clave_json="dias",
        solo_en=_SCRIPTS,
    )
