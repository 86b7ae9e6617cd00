"""``amauta calificaciones``: notas de un grupo, planilla, reporte, boletín y desaprobados.

Delgado: lee opciones, abre una transacción, llama a ``services.calificaciones`` y
entrega el resultado a ``render``. Solo Typer y la biblioteca estándar a nivel de módulo.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from amauta_cli.cli.comun import (
    OpcionIncluirArchivo,
    avisar_archivado,
    Formato,
    OpcionFormato,
    OpcionGrupo,
    OpcionGrupoOpcional,
    OpcionInstitucion,
    contexto,
)

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.services.calificaciones import Boletin, Reglas

app = typer.Typer(
    help=(
        "Calificaciones: registrar o cargar las notas de un grupo, ver la planilla, el reporte "
        "del grupo, el boletín de cada estudiante y quiénes desaprueban. Notas con coma "
        "decimal (8,5); para comparar, todo se lleva a la escala de 10."
    ),
    no_args_is_help=True,
)

OpcionMateria = Annotated[str, typer.Option("--materia", "-m", help="Materia (p. ej. Matemáticas).")]
OpcionPeriodo = Annotated[
    str, typer.Option("--periodo", "-p", help="Período (p. ej. \"1er Trimestre\", \"Parcial 1\").")
]
OpcionNotaMaxima = Annotated[
    str,
    typer.Option(
        "--nota-maxima",
        help="Nota máxima de la escala de esta nota (por defecto 10; p. ej. 20 o 100).",
    ),
]


def _reglas() -> "Reglas":
    from amauta_cli.services import calificaciones

    return calificaciones.reglas()


def _n(valor: float | None) -> str:
    from amauta_cli.services.calificaciones import formatear_nota

    return formatear_nota(valor)


def _t(valor: float | None, vacio: str | None = None) -> str | None:
    """Una nota para una tabla (coma decimal); ``vacio`` si no hay nota."""
    return vacio if valor is None else _n(valor)


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _nota_y_maxima(nota: float | None, maxima: float | None) -> str:
    if nota is None:
        return "sin nota"
    return f"{_n(nota)}/{_n(maxima)}"


def _texto_regla(reglas: dict[str, Any]) -> str:
    final = (
        "promedio ponderado de los períodos"
        if reglas["nota_final"] == "ponderado" and reglas["pesos"]
        else "promedio de los períodos"
    )
    return (
        f"notas sobre 10 · nota final: {final}, {reglas['decimales']} decimales · "
        f"se aprueba con {_n(reglas['nota_aprobacion'])}"
    )


# --- registrar ---------------------------------------------------------------------------------
@app.command("registrar")
def registrar(
    grupo: OpcionGrupo,
    estudiante: Annotated[str, typer.Option("--estudiante", "-e", help="Email del estudiante.")],
    materia: OpcionMateria,
    periodo: OpcionPeriodo,
    nota: Annotated[str, typer.Option("--nota", "-n", help="La nota: 8, 8,5 u 8.5.")],
    nota_maxima: OpcionNotaMaxima = "10",
    observaciones: Annotated[
        Optional[str],
        typer.Option(
            "--observaciones",
            help="Observaciones de la nota (\"\" las borra; si se omite, quedan las que había).",
            show_default=False,
        ),
    ] = None,
    institucion: OpcionInstitucion = None,
) -> None:
    """Crea o corrige la nota de un estudiante en una materia y un período."""
    from amauta_cli import render
    from amauta_cli.services import calificaciones

    with contexto().sesion() as s:
        r = calificaciones.registrar(
            s,
            grupo,
            estudiante,
            materia,
            periodo,
            nota,
            nota_maxima=nota_maxima,
            observaciones=observaciones,
            institucion=institucion,
        )
    quien = f"{r.estudiante} ({r.email}), {r.materia}, {r.periodo}, grupo '{r.grupo}'"
    ahora = _nota_y_maxima(r.nota, r.nota_maxima)
    if r.accion == "creada":
        render.exito(f"Nota registrada: {quien}: {ahora}.")
    elif r.accion == "sin cambios":
        render.exito(f"{quien}: la nota ya era {ahora}. No se cambió nada.")
    else:
        antes = _nota_y_maxima(r.nota_anterior, r.nota_maxima_anterior)
        detalle = f"era {antes}, ahora es {ahora}" if antes != ahora else f"sigue en {ahora}"
        render.exito(f"Nota corregida: {quien}: {detalle}.")
        if r.observaciones_anterior != r.observaciones:
            render.info(
                f"  observaciones: '{r.observaciones_anterior or ''}' → '{r.observaciones or ''}'"
            )


# --- cargar ------------------------------------------------------------------------------------
@app.command("cargar")
def cargar(
    archivo: Annotated[
        Path,
        typer.Argument(
            help="CSV con las columnas email o matricula, nota y (opcional) observaciones.",
            show_default=False,
        ),
    ],
    grupo: OpcionGrupo,
    materia: OpcionMateria,
    periodo: OpcionPeriodo,
    nota_maxima: OpcionNotaMaxima = "10",
    simular: Annotated[
        bool, typer.Option("--simular", help="Valida y cuenta lo que haría, sin escribir nada.")
    ] = False,
    institucion: OpcionInstitucion = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Carga la planilla de notas de una materia y un período para todo el grupo.

    El archivo se valida entero antes de escribir: si alguna línea tiene un problema
    (estudiante que no es del grupo, nota fuera de rango o que no es un número,
    estudiante repetido) no se escribe nada y se informan todas. Cargar dos veces el
    mismo archivo no cambia nada.
    """
    from amauta_cli import render
    from amauta_cli.services import calificaciones

    with contexto().sesion(solo_lectura=simular) as s:
        r = calificaciones.cargar(
            s,
            grupo,
            materia,
            periodo,
            archivo,
            nota_maxima=nota_maxima,
            simular=simular,
            institucion=institucion,
        )
    if not simular:
        from amauta_cli.cli.comun import tras_cambio_masivo

        tras_cambio_masivo("Calificacion")
    if r.columnas_ignoradas:
        render.aviso(f"Columnas ignoradas del CSV: {', '.join(r.columnas_ignoradas)}.")
    if formato != Formato.tabla:
        pares = [
            ("grupo", "Grupo", r.grupo),
            ("materia", "Materia", r.materia),
            ("periodo", "Período", r.periodo),
            ("archivo", "Archivo", r.archivo),
            ("filas", "Filas", r.filas),
            ("creadas", "Creadas", r.creadas),
            ("actualizadas", "Actualizadas", r.actualizadas),
            ("sin_cambios", "Sin cambios", r.sin_cambios),
            ("simulado", "Simulado", r.simulado),
        ]
        if formato == Formato.json:
            datos = {k: v for k, _, v in pares}
            datos["cambios"] = r.cambios
            datos["sin_nota"] = r.sin_nota
            render.emitir_json(datos)
        else:
            render.emitir_clave_valor(pares, "csv")
    separador = {",": "coma", ";": "punto y coma", "\t": "tabulación"}.get(r.separador, r.separador)
    codificacion = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 con BOM", "cp1252": "Windows-1252",
                    "utf-16": "UTF-16"}.get(r.codificacion, r.codificacion)
    render.info(
        f"{r.materia}, {r.periodo}, grupo '{r.grupo}': {r.filas} notas leídas de {r.archivo} "
        f"({codificacion}, separador {separador})."
    )
    for c in r.cambios:
        render.info(
            f"  {c.estudiante} ({c.email}): {_nota_y_maxima(c.nota_anterior, c.nota_maxima_anterior)}"
            f" → {_nota_y_maxima(c.nota, c.nota_maxima)}"
        )
    if r.simulado:
        render.exito(
            f"Simulación: se crearían {r.creadas}, se actualizarían {r.actualizadas} y "
            f"{r.sin_cambios} quedarían sin cambios. No se escribió nada."
        )
    else:
        render.exito(
            f"Notas cargadas: {r.creadas} creadas, {r.actualizadas} actualizadas, "
            f"{r.sin_cambios} sin cambios."
        )
    if r.sin_nota:
        muestra = ", ".join(r.sin_nota[:10]) + (f" y {len(r.sin_nota) - 10} más" if len(r.sin_nota) > 10 else "")
        render.aviso(
            f"{len(r.sin_nota)} estudiante(s) del grupo siguen sin nota en {r.materia}, "
            f"{r.periodo}: {muestra}."
        )


# --- ver ---------------------------------------------------------------------------------------
@app.command("ver")
def ver(
    grupo: OpcionGrupo,
    materia: OpcionMateria,
    periodo: OpcionPeriodo,
    institucion: OpcionInstitucion = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """La lista del grupo con la nota de cada estudiante en una materia y período, o "sin nota"."""
    from amauta_cli import render
    from amauta_cli.services import calificaciones

    reglas = _reglas()
    with contexto().sesion(solo_lectura=True) as s:
        p = calificaciones.ver(s, grupo, materia, periodo, institucion=institucion, r=reglas)
    if not p.existe:
        render.aviso(
            f"El grupo '{p.grupo}' no tiene notas de {p.materia} en {p.periodo}. "
            + (
                f"Materias con notas: {', '.join(p.materias_del_grupo)}. "
                if p.materias_del_grupo
                else "El grupo no tiene ninguna nota todavía. "
            )
            + (f"Períodos de {p.materia}: {', '.join(p.periodos_del_grupo)}." if p.periodos_del_grupo else "")
        )
    filas = [vars(f).copy() for f in p.filas]
    if formato == Formato.tabla:
        for f in filas:
            f["nota"] = _t(f["nota"], "sin nota")
            f["nota_maxima"] = _t(f["nota_maxima"])
            f["nota_10"] = _t(f["nota_10"])
            if not f["en_grupo"]:
                f["apellido"] = f"{f['apellido']} (ya no está en el grupo)"
        columnas = [
            ("apellido", "Apellido"),
            ("nombre", "Nombre"),
            ("email", "Email"),
            ("matricula", "Matrícula"),
            ("nota", "Nota"),
            ("nota_maxima", "Máx."),
            ("nota_10", "Sobre 10"),
            ("condicion", "Condición"),
            ("observaciones", "Observaciones"),
        ]
        pie = (
            f"{p.con_nota} de {len(p.filas)} con nota"
            + (f" · promedio {_n(p.promedio)} sobre 10" if p.promedio is not None else "")
            + f" · se aprueba con {_n(reglas.nota_aprobacion)}"
        )
        render.emitir_filas(
            filas,
            columnas,
            "tabla",
            titulo=f"{p.materia} · {p.periodo} · {p.grupo} ({p.institucion})",
            vacio=f"El grupo '{p.grupo}' no tiene estudiantes.",
            pie=pie,
        )
        return
    columnas = [
        (k, k)
        for k in (
            "apellido",
            "nombre",
            "email",
            "matricula",
            "nota",
            "nota_maxima",
            "nota_10",
            "condicion",
            "observaciones",
            "en_grupo",
        )
    ]
    render.emitir_filas(filas, columnas, formato.value)


# --- reporte -----------------------------------------------------------------------------------
@app.command("reporte")
def reporte(
    grupo: OpcionGrupo,
    materia: Annotated[
        Optional[str],
        typer.Option("--materia", "-m", help="Solo esta materia (por defecto, todas).", show_default=False),
    ] = None,
    institucion: OpcionInstitucion = None,
    formato: OpcionFormato = Formato.tabla,
    incluir_archivo: OpcionIncluirArchivo = False,
) -> None:
    """Por materia: cada estudiante por períodos con su promedio, y el promedio del grupo por período."""
    from amauta_cli import render
    from amauta_cli.services import calificaciones
    from amauta_cli.services.calificaciones import orden_natural

    reglas = _reglas()
    with contexto().sesion(solo_lectura=True) as s:
        rep = calificaciones.reporte(
            s, grupo, materia=materia, institucion=institucion, r=reglas, incluir_archivo=incluir_archivo
        )
    avisar_archivado(rep.archivadas, "nota", "notas", f"El grupo '{rep.grupo}'")
    if formato == Formato.json:
        render.emitir_json(rep)
        return
    if formato == Formato.csv:
        periodos = sorted({p for m in rep.materias for p in m.periodos}, key=orden_natural)
        columnas = [("fila", "fila"), ("materia", "materia"), ("apellido", "apellido"), ("nombre", "nombre"), ("email", "email")]
        columnas += [(p, p) for p in periodos]
        columnas += [("promedio", "promedio"), ("condicion", "condicion")]
        filas = []
        for m in rep.materias:
            for e in m.estudiantes:
                f = {"fila": "estudiante", "materia": m.materia, "apellido": e.apellido, "nombre": e.nombre,
                     "email": e.email, "promedio": e.promedio, "condicion": e.condicion}
                f.update({p: v for p, v in e.notas.items()})
                filas.append(f)
            f = {"fila": "promedio_grupo", "materia": m.materia, "promedio": m.promedio_grupo_final}
            f.update({p: v for p, v in m.promedio_grupo.items()})
            filas.append(f)
        render.emitir_filas(filas, columnas, "csv")
        return
    if not rep.materias:
        render.info(f"El grupo '{rep.grupo}' ({rep.institucion}) no tiene calificaciones todavía.")
        return
    for m in rep.materias:
        filas = []
        for e in m.estudiantes:
            f: dict[str, Any] = {"estudiante": f"{e.apellido}, {e.nombre}", "email": e.email,
                                 "promedio": _t(e.promedio, "sin nota"), "condicion": e.condicion}
            f.update({f"p{i}": _t(v, "sin nota") for i, v in enumerate(e.notas.values())})
            filas.append(f)
        f = {"estudiante": "Promedio del grupo", "email": "", "promedio": _t(m.promedio_grupo_final), "condicion": ""}
        f.update({f"p{i}": _t(v) for i, v in enumerate(m.promedio_grupo.values())})
        filas.append(f)
        columnas = [("estudiante", "Estudiante"), ("email", "Email")]
        columnas += [(f"p{i}", p) for i, p in enumerate(m.periodos)]
        columnas += [("promedio", "Promedio"), ("condicion", "Condición")]
        render.emitir_filas(
            filas,
            columnas,
            "tabla",
            titulo=f"{m.materia} · {rep.grupo} ({rep.institucion})",
            pie=(
                f"{_plural(m.aprobados, 'aprobado', 'aprobados')} · "
                f"{_plural(m.desaprobados, 'desaprobado', 'desaprobados')} · {_texto_regla(rep.reglas)}"
            ),
        )


# --- boletín -----------------------------------------------------------------------------------
@app.command("boletin")
def boletin(
    estudiante: Annotated[
        Optional[str],
        typer.Option("--estudiante", "-e", help="Email del estudiante.", show_default=False),
    ] = None,
    grupo: OpcionGrupoOpcional = None,
    html: Annotated[
        Optional[Path],
        typer.Option(
            "--html",
            help=(
                "Escribe el boletín como página HTML imprimible en este archivo; con --grupo "
                "y sin --estudiante, una carpeta con un archivo por estudiante."
            ),
            show_default=False,
        ),
    ] = None,
    institucion: OpcionInstitucion = None,
    formato: OpcionFormato = Formato.tabla,
    incluir_archivo: OpcionIncluirArchivo = False,
) -> None:
    """El boletín: materias por períodos, promedio por materia, promedio general y condición."""
    from amauta_cli import render
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import calificaciones

    if estudiante is None and grupo is None:
        raise DatosInvalidos("Indique --estudiante EMAIL, --grupo GRUPO (todo el grupo) o ambos.")
    reglas = _reglas()
    with contexto().sesion(solo_lectura=True) as s:
        lista = calificaciones.boletines(
            s, estudiante=estudiante, grupo=grupo, institucion=institucion, r=reglas,
            incluir_archivo=incluir_archivo,
        )
    avisar_archivado(lista[0].archivadas if lista else 0, "nota", "notas", "El boletín pedido")
    if html is not None:
        _escribir_html(lista, html, carpeta=estudiante is None)
        return
    if formato == Formato.json:
        render.emitir_json(lista[0] if estudiante is not None else lista)
        return
    if formato == Formato.csv:
        from amauta_cli.services.calificaciones import orden_natural

        periodos = sorted({p for b in lista for p in b.periodos}, key=orden_natural)
        columnas = [("email", "email"), ("apellido", "apellido"), ("nombre", "nombre"), ("grupo", "grupo"), ("materia", "materia")]
        columnas += [(p, p) for p in periodos]
        columnas += [("promedio", "promedio"), ("condicion", "condicion")]
        filas = []
        for b in lista:
            for m in b.materias:
                f = {"email": b.email, "apellido": b.apellido, "nombre": b.nombre, "grupo": b.grupo,
                     "materia": m.materia, "promedio": m.promedio, "condicion": m.condicion}
                f.update({p: v for p, v in m.notas.items()})
                filas.append(f)
        render.emitir_filas(filas, columnas, "csv")
        return
    if not lista:
        render.info("El grupo no tiene estudiantes.")
        return
    for b in lista:
        _boletin_tabla(b)


def _boletin_tabla(b: "Boletin") -> None:
    from amauta_cli import render

    curso = " ".join(x for x in (b.grado, b.seccion) if x)
    render.emitir_clave_valor(
        [
            ("estudiante", "Estudiante", f"{b.apellido}, {b.nombre}"),
            ("email", "Email", b.email),
            ("matricula", "Matrícula", b.matricula),
            ("grupo", "Grupo", b.grupo + (f" ({curso})" if curso else "")),
            ("institucion", "Institución", b.institucion),
        ],
        "tabla",
        titulo="Boletín de calificaciones",
    )
    filas = []
    for m in b.materias:
        f: dict[str, Any] = {"materia": m.materia, "promedio": _t(m.promedio, "sin nota"), "condicion": m.condicion}
        f.update({f"p{i}": _t(m.notas[p], "sin nota") for i, p in enumerate(b.periodos)})
        filas.append(f)
    filas.append({"materia": "Promedio general", "promedio": _t(b.promedio_general),
                  "condicion": f"{_plural(b.aprobadas, 'aprobada', 'aprobadas')}, "
                               f"{_plural(b.desaprobadas, 'desaprobada', 'desaprobadas')}"})
    columnas = [("materia", "Materia")] + [(f"p{i}", p) for i, p in enumerate(b.periodos)]
    columnas += [("promedio", "Promedio"), ("condicion", "Condición")]
    render.emitir_filas(filas, columnas, "tabla", pie=_texto_regla(b.reglas))


def _escribir_html(lista: "list[Boletin]", destino: Path, carpeta: bool) -> None:
    from amauta_cli import render
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.render_html import nombres_unicos, pagina_boletin

    if carpeta:
        if destino.exists() and not destino.is_dir():
            raise DatosInvalidos(
                f"--html {destino}: con --grupo y sin --estudiante se escribe un archivo por "
                "estudiante, así que --html debe ser una carpeta (se crea si no existe)."
            )
        try:
            destino.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatosInvalidos(f"No se pudo crear la carpeta {destino}: {e.strerror}.") from None
        rutas = [destino / n for n in nombres_unicos(lista)]
    else:
        rutas = [destino / nombres_unicos(lista)[0] if destino.is_dir() else destino]
    for b, ruta in zip(lista, rutas):
        try:
            ruta.write_text(pagina_boletin(b), encoding="utf-8")
        except OSError as e:
            raise DatosInvalidos(f"No se pudo escribir {ruta}: {e.strerror}.") from None
    if carpeta:
        render.exito(f"{len(rutas)} boletines escritos en {destino}/ (uno por estudiante).")
    else:
        render.exito(f"Boletín escrito en {rutas[0]}. Ábralo en el navegador para imprimirlo.")


# --- desaprobados ------------------------------------------------------------------------------
@app.command("desaprobados")
def desaprobados(
    grupo: OpcionGrupoOpcional = None,
    institucion: Annotated[
        Optional[str],
        typer.Option(
            "--institucion",
            "-i",
            help="Solo los grupos activos de esta institución (nombre o id).",
            show_default=False,
        ),
    ] = None,
    periodo: Annotated[
        Optional[str],
        typer.Option(
            "--periodo",
            "-p",
            help="Compara la nota de este período en lugar de la nota final de la materia.",
            show_default=False,
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Estudiantes por debajo de la nota de aprobación, por materia, los más bajos primero.

    Sin --grupo ni --institucion, todos los grupos activos.
    """
    from amauta_cli import render
    from amauta_cli.services import calificaciones

    reglas = _reglas()
    with contexto().sesion(solo_lectura=True) as s:
        d = calificaciones.desaprobados(
            s, grupo=grupo, institucion=institucion, periodo=periodo, r=reglas
        )
    que = f"la nota de {d.periodo}" if d.periodo else "la nota final"
    columnas = [
        ("materia", "Materia"),
        ("nota", "Nota"),
        ("apellido", "Apellido"),
        ("nombre", "Nombre"),
        ("email", "Email"),
        ("grupo", "Grupo"),
        ("institucion", "Institución"),
        ("periodos", "Períodos"),
    ]
    if formato != Formato.tabla:
        render.emitir_filas(d.filas, [(k, k) for k, _ in columnas], formato.value)
        return
    filas = [dict(vars(f), nota=_n(f.nota)) for f in d.filas]
    render.emitir_filas(
        filas,
        columnas,
        "tabla",
        titulo=f"Desaprobados: {d.alcance} · {que} menor que {_n(reglas.nota_aprobacion)} (sobre 10)",
        vacio=(
            f"Nadie está por debajo de {_n(reglas.nota_aprobacion)} en {que} "
            f"({d.alcance})."
        ),
        pie=(
            f"{_plural(d.estudiantes, 'estudiante', 'estudiantes')}, "
            f"{_plural(len(d.filas), 'materia desaprobada', 'materias desaprobadas')} · "
            f"{_texto_regla(d.reglas)}"
        ),
    )
