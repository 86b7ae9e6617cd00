"""``amauta calificaciones periodos``: los períodos de calificación de los ajustes y la reparación
de las notas guardadas con otras escrituras (``normalizar``).

Delgado: opciones → ``services.periodos`` → vistas de ``salida``.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import OpcionFormato, contexto
from amauta_cli.salida import Formato

app = typer.Typer(
    help=(
        "Los períodos de calificación (trimestres, cuatrimestres o los de los ajustes) y la "
        "corrección de las notas guardadas con otras escrituras (1T, Primer trimestre...)."
    ),
    no_args_is_help=True,
)


@app.command("normalizar")
def normalizar(
    institucion: Annotated[
        Optional[str],
        typer.Option("--institucion", "-i", metavar="INSTITUCION", help="Solo esta institución (nombre o id); por defecto, todas.", show_default=False),
    ] = None,
    simular: Annotated[
        bool, typer.Option("--simular", help="Muestra qué cambiaría, sin escribir nada.")
    ] = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Lleva cada período escrito de otra manera ('1T', '1° Trimestre', 'Primer trimestre') a su
    nombre de los ajustes ('1er Trimestre'), en todos los grupos, en una transacción.

    Informa cada cambio (institución, grupo, de, a, notas). Si un estudiante tiene la misma
    materia en dos escrituras del mismo período, no cambia nada y lo dice.
    """
    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import periodos as svc

    with contexto().sesion(solo_lectura=simular) as s:
        r = svc.normalizar_existentes(s, institucion, simular=simular)
    for x in r.sin_equivalente:
        salida.aviso(
            f"'{x.periodo}' ({textos.plural(x.filas, 'nota')}, grupo '{x.grupo}', {x.institucion}) no es "
            f"ningún período de los ajustes ({textos.enumerar(list(x.validos))}): quedó como estaba. "
            "Corríjalo a mano o defina el período en calendario.periodos."
        )
    vista = Vista(
        [
            Columna("institucion", "Institución", "nombre", prioridad=2),
            Columna("grupo", "Grupo", "nombre", prioridad=0),
            Columna("de", "Escrito", prioridad=0),
            Columna("a", "Queda", prioridad=0),
            Columna("filas", "Notas", "entero", prioridad=0),
            Columna("grupo_id", "Id del grupo", "codigo", prioridad=3),
        ],
        r.cambios,
        titulo="Períodos a normalizar (simulación: no se escribió nada)" if simular else "Períodos normalizados",
        vacio="Todos los períodos ya están escritos como en los ajustes: no hay nada que cambiar.",
    )
    salida.emitir(vista, formato)
    if r.conflictos:
        salida.error(
            f"{textos.plural(len(r.conflictos), 'estudiante tiene', 'estudiantes tienen')} la misma materia "
            "en dos escrituras de un período: normalizar repetiría la nota. Deje una de las dos y "
            "vuelva a intentarlo.",
            [
                f"{c.email}, {c.materia}, grupo '{c.grupo}': {textos.enumerar([repr(e) for e in c.escrituras])} → '{c.periodo}'"
                for c in r.conflictos[:200]
            ],
        )
        raise typer.Exit(1)
    if r.cambios:
        n = textos.plural(r.filas, "nota")
        if simular:
            salida.info(f"Se cambiarían {n} en {textos.plural(len(r.cambios), 'escritura')}. Sin --simular, se escriben.")
        else:
            salida.exito(f"{n} con el período corregido ({textos.plural(len(r.cambios), 'escritura')}).")


@app.command("ver")
def ver(
    institucion: Annotated[
        Optional[str],
        typer.Option("--institucion", "-i", metavar="INSTITUCION", help="Los de esta institución (nombre o id); sin ella, los generales.", show_default=False),
    ] = None,
    anio: Annotated[
        Optional[int], typer.Option("--anio", min=1900, max=2200, metavar="AÑO", help="Ciclo lectivo (por defecto, el actual).", show_default=False)
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Los períodos de calificación vigentes: nombre, orden y fechas."""
    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import calendario as cal_svc

    ajustes = cal_svc.leer_ajustes()
    if institucion is not None:
        from amauta_cli.services.comun import buscar_institucion

        with contexto().sesion(solo_lectura=True) as s:
            inst = buscar_institucion(s, institucion)
            cal = cal_svc.calendario(ajustes, inst.nombre, inst.id)
    else:
        cal = cal_svc.calendario(ajustes)
    a = anio or cal.anio_lectivo()
    periodos = cal.periodos(a)
    salida.emitir(
        Vista(
            [
                Columna("orden", "Orden", "entero"),
                Columna("nombre", "Período", prioridad=0),
                Columna("desde", "Desde", "fecha"),
                Columna("hasta", "Hasta", "fecha"),
                Columna("alias", "También se escribe", "lista"),
            ],
            periodos,
            titulo=f"Períodos del ciclo lectivo {a}" + (f" · {cal.institucion}" if cal.institucion else ""),
            notas=[
                "Se aceptan también otros nombres (periodos_libres)." if cal.periodos_libres
                else "Otro nombre de período se rechaza (salvo periodos_libres: true en los ajustes)."
            ],
        ),
        formato,
    )
