"""``amauta calificaciones``: notas de un grupo, planilla, reporte, boletín y desaprobados.

Delgado: lee opciones, abre una transacción, llama a ``services.calificaciones`` y
describe el resultado para ``salida``. Solo Typer y la biblioteca estándar a nivel de módulo.
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
from amauta_cli.salida import Columna

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.services.calificaciones import Boletin, Reglas

app = typer.Typer(
    help=(
        "Calificaciones: registrar o cargar las notas de un grupo, ver la planilla, el reporte "
        "del grupo, el boletín de cada estudiante (con su asistencia), quiénes desaprueban y los "
        "períodos (periodos ver / normalizar). Notas con coma "
        "decimal (8,5); para comparar, todo se lleva a la escala de 10."
    ),
    no_args_is_help=True,
)

def _registrar_periodos() -> None:
    from amauta_cli.cli import periodos

    app.add_typer(periodos.app, name="periodos")


_registrar_periodos()

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


def _nota_y_maxima(nota: float | None, maxima: float | None) -> str:
    from amauta_cli import textos

    if nota is None:
        return "sin nota"
    return textos.nota(nota, maxima)


def _texto_regla(reglas: dict[str, Any]) -> str:
    from amauta_cli.textos import plural

    final = (
        "promedio ponderado de los períodos"
        if reglas["nota_final"] == "ponderado" and reglas["pesos"]
        else "promedio de los períodos"
    )
    return (
        f"notas sobre 10 · nota final: {final}, {plural(reglas['decimales'], 'decimal')} · "
        f"se aprueba con {_n(reglas['nota_aprobacion'])}"
    )


def _nota(clave: str, titulo: str, prioridad: int = 1, vacio: str = "") -> Columna:
    return Columna(clave, titulo, "nota", prioridad=prioridad, vacio=vacio)


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
    from amauta_cli import salida
    from amauta_cli.services import calificaciones

    with contexto().cruda() as c:
        r = calificaciones.registrar(
            c,
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
        salida.exito(f"Nota registrada: {quien}: {ahora}.")
    elif r.accion == "sin cambios":
        salida.exito(f"{quien}: la nota ya era {ahora}. No se cambió nada.")
    else:
        antes = _nota_y_maxima(r.nota_anterior, r.nota_maxima_anterior)
        detalle = f"era {antes}, ahora es {ahora}" if antes != ahora else f"sigue en {ahora}"
        salida.exito(f"Nota corregida: {quien}: {detalle}.")
        if r.observaciones_anterior != r.observaciones:
            salida.info(
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
    from amauta_cli import salida
    from amauta_cli.salida import Campo
    from amauta_cli.services import calificaciones
    from amauta_cli.textos import plural

    # Por el driver a secas: el ORM tarda más en cargarse que la carga de la planilla.
    with contexto().cruda(solo_lectura=simular) as c:
        r = calificaciones.cargar(
            c,
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
        salida.aviso(f"Columnas ignoradas del CSV: {', '.join(r.columnas_ignoradas)}.")
    campos = [
        Campo("grupo", "Grupo", r.grupo),
        Campo("materia", "Materia", r.materia),
        Campo("periodo", "Período", r.periodo),
        Campo("archivo", "Archivo", r.archivo),
        Campo("filas", "Filas", r.filas, "entero"),
        Campo("creadas", "Creadas", r.creadas, "entero"),
        Campo("actualizadas", "Actualizadas", r.actualizadas, "entero"),
        Campo("sin_cambios", "Sin cambios", r.sin_cambios, "entero"),
        Campo("simulado", "Simulado", r.simulado, "bool"),
    ]
    datos = {c.clave: c.valor for c in campos}
    datos["cambios"] = r.cambios
    datos["sin_nota"] = r.sin_nota
    salida.emitir([salida.Objeto(datos), salida.Ficha(campos, solo_en=salida.PLANILLAS)], formato)
    separador = {",": "coma", ";": "punto y coma", "\t": "tabulación"}.get(r.separador, r.separador)
    codificacion = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 con BOM", "cp1252": "Windows-1252",
                    "utf-16": "UTF-16"}.get(r.codificacion, r.codificacion)
    salida.info(
        f"{r.materia}, {r.periodo}, grupo '{r.grupo}': {plural(r.filas, 'nota leída')} de {r.archivo} "
        f"({codificacion}, separador {separador})."
    )
    for c in r.cambios:
        salida.info(
            f"  {c.estudiante} ({c.email}): {_nota_y_maxima(c.nota_anterior, c.nota_maxima_anterior)}"
            f" → {_nota_y_maxima(c.nota, c.nota_maxima)}"
        )
    if r.simulado:
        salida.exito(
            f"Simulación: se {'crearía' if r.creadas == 1 else 'crearían'} {r.creadas}, se "
            f"{'actualizaría' if r.actualizadas == 1 else 'actualizarían'} {r.actualizadas} y "
            f"{r.sin_cambios} {'quedaría' if r.sin_cambios == 1 else 'quedarían'} sin cambios. "
            "No se escribió nada."
        )
    else:
        salida.exito(
            f"Notas cargadas: {plural(r.creadas, 'creada')}, {plural(r.actualizadas, 'actualizada')}, "
            f"{r.sin_cambios} sin cambios."
        )
    if r.sin_nota:
        muestra = ", ".join(r.sin_nota[:10]) + (f" y {len(r.sin_nota) - 10} más" if len(r.sin_nota) > 10 else "")
        sigue = plural(len(r.sin_nota), "estudiante del grupo sigue", "estudiantes del grupo siguen")
        salida.aviso(f"{sigue} sin nota en {r.materia}, {r.periodo}: {muestra}.")


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
    from amauta_cli import salida
    from amauta_cli.services import calificaciones

    reglas = _reglas()
    with contexto().sesion(solo_lectura=True) as s:
        p = calificaciones.ver(s, grupo, materia, periodo, institucion=institucion, r=reglas)
    if not p.existe:
        salida.aviso(
            f"El grupo '{p.grupo}' no tiene notas de {p.materia} en {p.periodo}. "
            + (
                f"Materias con notas: {', '.join(p.materias_del_grupo)}. "
                if p.materias_del_grupo
                else "El grupo no tiene ninguna nota todavía. "
            )
            + (f"Períodos de {p.materia}: {', '.join(p.periodos_del_grupo)}." if p.periodos_del_grupo else "")
        )
    notas = [
        f"{p.con_nota} de {len(p.filas)} con nota"
        + (f" · promedio {_n(p.promedio)} sobre 10" if p.promedio is not None else "")
        + f" · se aprueba con {_n(reglas.nota_aprobacion)}"
    ]
    if any(not f.en_grupo for f in p.filas):
        notas.append("En el grupo «no»: ya no está en el grupo, pero tiene nota en este período.")
    de_baja = [f"{f.apellido}, {f.nombre}" for f in p.filas if f.en_grupo and not getattr(f, "activo", True)]
    if de_baja:
        notas.append(f"Dados de baja (solo figuran por su nota ya cargada): {'; '.join(de_baja)}.")
    vista = salida.Vista(
        [
            Columna("apellido", "Apellido", "nombre", prioridad=0),
            Columna("nombre", "Nombre", "nombre", prioridad=0),
            Columna("email", "Email", "email", prioridad=2),
            Columna("matricula", "Matrícula", "codigo", prioridad=4),
            _nota("nota", "Nota", 0, vacio="sin nota"),
            _nota("nota_maxima", "Máx.", 3),
            _nota("nota_10", "Sobre 10", 2),
            Columna("condicion", "Condición", prioridad=1),
            Columna("observaciones", "Observaciones", prioridad=3),
            Columna("en_grupo", "En el grupo", "bool", prioridad=4),
        ],
        p.filas,
        titulo=f"{p.materia} · {p.periodo} · {p.grupo} ({p.institucion})",
        vacio=f"El grupo '{p.grupo}' no tiene estudiantes.",
        notas=notas,
    )
    salida.emitir(vista, formato)


# --- reporte -----------------------------------------------------------------------------------
def _columnas_periodos(periodos: list[str], clave: Any, vacio: str = "") -> list[Columna]:
    return [_nota(clave(i, p), p, 1, vacio) for i, p in enumerate(periodos)]


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
    from amauta_cli import salida
    from amauta_cli.services import calificaciones
    from amauta_cli.services.calificaciones import orden_natural
    from amauta_cli.textos import plural

    reglas = _reglas()
    # Por el driver a secas: el ORM tarda más en cargarse que las consultas del reporte.
    with contexto().cruda(solo_lectura=True) as c:
        rep = calificaciones.reporte(
            c, grupo, materia=materia, institucion=institucion, r=reglas, incluir_archivo=incluir_archivo
        )
    avisar_archivado(rep.archivadas, "nota", "notas", f"El grupo '{rep.grupo}'")
    # Para planillas: una fila por estudiante y materia, y el promedio del grupo.
    periodos = sorted({p for m in rep.materias for p in m.periodos}, key=orden_natural)
    planas = []
    for m in rep.materias:
        for e in m.estudiantes:
            f: dict[str, Any] = {"fila": "estudiante", "materia": m.materia, "apellido": e.apellido,
                                 "nombre": e.nombre, "email": e.email, "promedio": e.promedio,
                                 "condicion": e.condicion}
            f.update(e.notas)
            planas.append(f)
        f = {"fila": "promedio_grupo", "materia": m.materia, "promedio": m.promedio_grupo_final}
        f.update(m.promedio_grupo)
        planas.append(f)
    partes: list[Any] = [
        salida.Objeto(rep),
        salida.Vista(
            [Columna("fila", "Fila", "codigo"), Columna("materia", "Materia"),
             Columna("apellido", "Apellido", "nombre"), Columna("nombre", "Nombre", "nombre"),
             Columna("email", "Email", "email"),
             *_columnas_periodos(periodos, lambda _i, p: p),
             _nota("promedio", "Promedio"), Columna("condicion", "Condición")],
            planas,
            solo_en=salida.PLANILLAS,
        ),
    ]
    for m in rep.materias:
        filas = []
        for e in m.estudiantes:
            f = {"estudiante": f"{e.apellido}, {e.nombre}", "email": e.email, "promedio": e.promedio,
                 "condicion": e.condicion}
            f.update({f"p{i}": v for i, v in enumerate(e.notas.values())})
            filas.append(f)
        totales = {"estudiante": "Promedio del grupo", "promedio": m.promedio_grupo_final}
        totales.update({f"p{i}": v for i, v in enumerate(m.promedio_grupo.values())})
        partes.append(
            salida.Vista(
                [Columna("estudiante", "Estudiante", "nombre", prioridad=0),
                 Columna("email", "Email", "email", prioridad=3),
                 *_columnas_periodos(m.periodos, lambda i, _p: f"p{i}", "sin nota"),
                 _nota("promedio", "Promedio", 0, "sin nota"),
                 Columna("condicion", "Condición", prioridad=0)],
                filas,
                titulo=f"{m.materia} · {rep.grupo} ({rep.institucion})",
                totales=totales,
                notas=[
                    f"{plural(m.aprobados, 'aprobado')} · {plural(m.desaprobados, 'desaprobado')} · "
                    f"{_texto_regla(rep.reglas)}"
                ],
                solo_en=salida.PARA_LEER,
            )
        )
    if not rep.materias:
        salida.info(f"El grupo '{rep.grupo}' ({rep.institucion}) no tiene calificaciones todavía.")
    salida.emitir(partes, formato)


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
    anio: Annotated[
        Optional[int],
        typer.Option(
            "--anio", min=1900, max=2200, metavar="AÑO",
            help="Ciclo lectivo de la asistencia por período (por defecto, el actual).", show_default=False,
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
    incluir_archivo: OpcionIncluirArchivo = False,
) -> None:
    """El boletín: materias por períodos (con sus observaciones), promedio por materia, promedio
    general y condición, y la asistencia de cada período y del año."""
    from amauta_cli import salida
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import calificaciones
    from amauta_cli.services.calificaciones import orden_natural

    if estudiante is None and grupo is None:
        raise DatosInvalidos("Indique --estudiante EMAIL, --grupo GRUPO (todo el grupo) o ambos.")
    reglas = _reglas()
    with contexto().sesion(solo_lectura=True) as s:
        lista = calificaciones.boletines(
            s, estudiante=estudiante, grupo=grupo, institucion=institucion, r=reglas, anio=anio,
            incluir_archivo=incluir_archivo,
        )
    avisar_archivado(lista[0].archivadas if lista else 0, "nota", "notas", "El boletín pedido")
    avisar_archivado(
        lista[0].asistencia_archivada if lista else 0,
        "registro de asistencia", "registros de asistencia", "El ciclo lectivo del boletín",
    )
    if html is not None:
        _escribir_html(lista, html, carpeta=estudiante is None)
        return
    periodos = sorted({p for b in lista for p in b.periodos}, key=orden_natural)
    planas = []
    for b in lista:
        for m in b.materias:
            f: dict[str, Any] = {"email": b.email, "apellido": b.apellido, "nombre": b.nombre, "grupo": b.grupo,
                                 "materia": m.materia, "promedio": m.promedio, "condicion": m.condicion,
                                 "observaciones": "; ".join(f"{p}: {o}" for p, o in m.observaciones.items()) or None}
            f.update(m.notas)
            planas.append(f)
        planas += _filas_asistencia(b, {"email": b.email, "apellido": b.apellido, "nombre": b.nombre, "grupo": b.grupo})
    partes: list[Any] = [
        salida.Objeto(lista[0] if estudiante is not None else lista),
        salida.Vista(
            [Columna("email", "Email", "email"), Columna("apellido", "Apellido", "nombre"),
             Columna("nombre", "Nombre", "nombre"), Columna("grupo", "Grupo", "nombre"),
             Columna("materia", "Materia"), *_columnas_periodos(periodos, lambda _i, p: p),
             _nota("promedio", "Promedio"), Columna("condicion", "Condición"),
             Columna("observaciones", "Observaciones")],
            planas,
            solo_en=salida.PLANILLAS,
        ),
    ]
    for b in lista:
        ficha, vista = _boletin(b)
        partes += [
            _solo_tabla(ficha),
            _solo_tabla(vista),
        ]
        asistencia = _asistencia_boletin(b)
        if asistencia is not None:
            partes.append(_solo_tabla(asistencia))
    if not lista:
        salida.info("El grupo no tiene estudiantes.")
    salida.emitir(partes, formato)


def _solo_tabla(parte: Any) -> Any:
    from dataclasses import replace

    return replace(parte, solo_en=("tabla",))


def _boletin(b: "Boletin") -> tuple[Any, Any]:
    """El boletín de un estudiante: sus datos (ficha) y sus materias por período (vista)."""
    from amauta_cli import salida, textos
    from amauta_cli.salida import Campo

    curso = " ".join(x for x in (b.grado, b.seccion) if x)
    ficha = salida.Ficha(
        [
            Campo("estudiante", "Estudiante", f"{b.apellido}, {b.nombre}", "nombre"),
            Campo("email", "Email", b.email, "email"),
            Campo("matricula", "Matrícula", b.matricula, "codigo"),
            Campo("grupo", "Grupo", b.grupo + (f" ({curso})" if curso else "")),
            Campo("institucion", "Institución", b.institucion),
        ],
        titulo="Boletín de calificaciones",
    )
    filas = []
    for m in b.materias:
        f: dict[str, Any] = {"materia": m.materia, "promedio": m.promedio, "condicion": m.condicion,
                             "_desaprobado": m.condicion == "desaprobado"}
        f.update({f"p{i}": m.notas.get(p) for i, p in enumerate(b.periodos)})
        filas.append(f)
    resumen = f"{textos.plural(b.aprobadas, 'aprobada')}, {textos.plural(b.desaprobadas, 'desaprobada')}"
    vista = salida.Vista(
        [Columna("materia", "Materia", "nombre", prioridad=0),
         *_columnas_periodos(b.periodos, lambda i, _p: f"p{i}", "sin nota"),
         _nota("promedio", "Promedio", 0, "sin nota"),
         Columna("condicion", "Condición", prioridad=0)],
        filas,
        totales={"materia": "Promedio general", "promedio": b.promedio_general, "condicion": resumen},
        notas=[_texto_regla(b.reglas), *_observaciones(b)],
        vacio="El grupo todavía no tiene calificaciones.",
    )
    return ficha, vista


def _observaciones(b: "Boletin") -> list[str]:
    """Las observaciones de cada nota, en el orden de materias y períodos."""
    return [f"Observación de {m.materia}, {p}: {o}" for m in b.materias for p, o in m.observaciones.items()]


#: (atributo, fila en la tabla y el html, fila en csv/excel, tipo)
_CONCEPTOS_ASISTENCIA = (
    ("registrados", "Días de clase registrados", "Asistencia: días de clase", "entero"),
    ("inasistencias", "Inasistencias", "Asistencia: inasistencias", "decimal"),
    ("porcentaje", "% de asistencia", "Asistencia: %", "porcentaje"),
)


def _asistencia_boletin(b: "Boletin") -> Any:
    """La asistencia del boletín: una fila por concepto, una columna por período y la del año."""
    from amauta_cli import salida
    from amauta_cli.salida import texto_humano

    if b.asistencia_anual is None:
        return None
    por = {a.periodo: a for a in b.asistencia}
    filas = []
    for clave, titulo, _plano, tipo in _CONCEPTOS_ASISTENCIA:
        # Cada fila tiene su tipo (días, inasistencias, %): las celdas van ya escritas.
        def celda(a: Any) -> str:
            v = getattr(a, clave) if a is not None else None
            return "—" if v is None else texto_humano(v, tipo)

        f: dict[str, Any] = {"concepto": titulo, "anio": celda(b.asistencia_anual)}
        f.update({f"p{i}": celda(por.get(p)) for i, p in enumerate(b.periodos)})
        filas.append(f)
    justificadas = b.asistencia_anual.justificadas
    return salida.Vista(
        [Columna("concepto", "Asistencia", prioridad=0),
         *[Columna(f"p{i}", p, alinear="der") for i, p in enumerate(b.periodos)],
         Columna("anio", f"Ciclo {b.anio}", alinear="der", prioridad=0)],
        filas,
        titulo=f"Asistencia del ciclo lectivo {b.anio}",
        notas=[
            "Solo días de clase del calendario; inasistencias con la regla de asistencia de los ajustes"
            + (f" (justificadas en el año: {texto_humano(justificadas, 'decimal')})." if justificadas else ".")
        ],
    )


def _filas_asistencia(b: "Boletin", base: dict[str, Any]) -> list[dict[str, Any]]:
    """La asistencia como filas de la planilla del boletín (csv, excel): una por concepto, el
    valor de cada período en su columna y el del año en la del promedio."""
    if b.asistencia_anual is None:
        return []
    por = {a.periodo: a for a in b.asistencia}
    filas = []
    for clave, _titulo, plano, _tipo in _CONCEPTOS_ASISTENCIA:
        f: dict[str, Any] = {**base, "materia": plano,
                             "promedio": getattr(b.asistencia_anual, clave)}
        f.update({p: getattr(por[p], clave) if p in por else None for p in b.periodos})
        filas.append(f)
    return filas


def _pagina_boletin(b: "Boletin") -> str:
    """El boletín como página imprimible: la misma ficha y la misma tabla, con firmas."""
    from dataclasses import replace
    from datetime import date

    from amauta_cli import textos
    from amauta_cli.salida import Campo, html

    ficha, vista = _boletin(b)
    datos = replace(ficha, campos=[*ficha.campos, Campo("emitido", "Emitido", date.today(), "fecha")])
    centradas = [replace(c, alinear="centro") if c.tipo == "nota" else c for c in vista.columnas]
    vista = replace(vista, columnas=centradas)
    clases = ["destacado" if f["_desaprobado"] else "" for f in vista.filas]
    aprobacion = textos.nota(float(b.reglas["nota_aprobacion"]))
    final = (
        "promedio ponderado de los períodos"
        if b.reglas.get("nota_final") == "ponderado" and b.reglas.get("pesos")
        else "promedio de los períodos"
    )
    reglas = (
        f"Notas en la escala de 10. Nota final de cada materia: {final}, redondeada a "
        f"{textos.plural(b.reglas['decimales'], 'decimal')}. Se aprueba con {aprobacion} o más."
    )
    cuerpo = html.datos(datos) + html.tabla(vista, clases)
    asistencia = _asistencia_boletin(b)
    if asistencia is not None:
        centradas = [replace(c, alinear="centro") if c.clave != "concepto" else c for c in asistencia.columnas]
        cuerpo += f"<h2>{html.e(asistencia.titulo)}</h2>" + html.tabla(replace(asistencia, columnas=centradas))
    cuerpo += "".join(html.parrafo(o, "observacion") for o in _observaciones(b))
    cuerpo += html.parrafo(reglas)
    return html.pagina(
        "Boletín de calificaciones",
        cuerpo,
        encabezado=b.institucion,
        firmas=["Firma del docente", "Firma de la dirección", "Firma del responsable"],
        titulo_pestana=f"Boletín de calificaciones — {b.apellido}, {b.nombre}",
    )


def _nombres_de_archivo(lista: "list[Boletin]") -> list[str]:
    """Un nombre por boletín (``boletin-fernandez-lucas.html``); si dos coinciden, se agrega
    la parte local del email, y si aún coinciden, un número."""
    from amauta_cli.salida.html import nombre_de_archivo

    nombres = [nombre_de_archivo(b.apellido, b.nombre, prefijo="boletin-") for b in lista]
    if any(n == "boletin-.html" for n in nombres):
        nombres = [n if n != "boletin-.html" else "boletin-estudiante.html" for n in nombres]
    repetidos = {n for n in nombres if nombres.count(n) > 1}
    usados: set[str] = set()
    resultado = []
    for b, n in zip(lista, nombres):
        if n in repetidos:
            n = nombre_de_archivo(b.apellido, b.nombre, b.email.split("@")[0], prefijo="boletin-")
        base, i = n[: -len(".html")], 2
        while n in usados:
            n, i = f"{base}-{i}.html", i + 1
        usados.add(n)
        resultado.append(n)
    return resultado


def _escribir_html(lista: "list[Boletin]", destino: Path, carpeta: bool) -> None:
    from amauta_cli import salida
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.salida import html
    from amauta_cli.textos import plural

    if carpeta:
        if destino.exists() and not destino.is_dir():
            raise DatosInvalidos(
                f"--html {destino}: con --grupo y sin --estudiante se escribe un archivo por "
                "estudiante, así que --html debe ser una carpeta (se crea si no existe)."
            )
        # Un disco lleno, una carpeta de solo lectura o sin permisos: los explica fallas.py.
        destino.mkdir(parents=True, exist_ok=True)
        rutas = [destino / n for n in _nombres_de_archivo(lista)]
    else:
        rutas = [destino / _nombres_de_archivo(lista)[0] if destino.is_dir() else destino]
    for b, ruta in zip(lista, rutas):
        html.escribir(ruta, _pagina_boletin(b))
    if carpeta:
        salida.exito(f"{plural(len(rutas), 'boletín escrito', 'boletines escritos')} en {destino}/ (uno por estudiante).")
    else:
        salida.exito(f"Boletín escrito en {rutas[0]}. Ábralo en el navegador para imprimirlo.")


# --- desaprobados ------------------------------------------------------------------------------
COLUMNAS_DESAPROBADOS = [
    Columna("materia", "Materia", "texto", prioridad=0),
    Columna("nota", "Nota", "nota", prioridad=0),
    Columna("apellido", "Apellido", "nombre", prioridad=0),
    Columna("nombre", "Nombre", "nombre", prioridad=1),
    Columna("email", "Email", "email", prioridad=2),
    Columna("grupo", "Grupo", "nombre", prioridad=1),
    Columna("institucion", "Institución", "nombre", prioridad=3),
    Columna("periodos", "Períodos", "entero", prioridad=4),
]


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
    from amauta_cli import salida
    from amauta_cli.services import calificaciones
    from amauta_cli.textos import plural

    reglas = _reglas()
    with contexto().cruda(solo_lectura=True) as c:
        d = calificaciones.desaprobados(
            c, grupo=grupo, institucion=institucion, periodo=periodo, r=reglas
        )
    que = f"la nota de {d.periodo}" if d.periodo else "la nota final"
    aprobacion = _n(reglas.nota_aprobacion)
    vista = salida.Vista(
        COLUMNAS_DESAPROBADOS,
        d.filas,
        titulo=f"Desaprobados: {d.alcance} · {que} menor que {aprobacion} (sobre 10)",
        vacio=f"Nadie está por debajo de {aprobacion} en {que} ({d.alcance}).",
        notas=[
            f"{plural(d.estudiantes, 'estudiante')}, {plural(len(d.filas), 'materia desaprobada')} · "
            f"{_texto_regla(d.reglas)}"
        ],
    )
    salida.emitir(vista, formato)
