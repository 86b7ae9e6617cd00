"""``amauta asistencia``: registrar el día, ver, pendientes, reporte, alertas, importar y exportar.

Delgado: parsea opciones, abre una transacción, llama a ``services.asistencia`` y
describe el resultado para ``salida``. Nada de SQLAlchemy a nivel de módulo.
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
    OpcionInstitucion,
    OpcionSi,
    confirmar,
    contexto,
    error_uso,
    es_terminal,
)
from amauta_cli.salida import Columna, FormatoArchivo

if TYPE_CHECKING:  # pragma: no cover
    from datetime import date

    from sqlalchemy.orm import Session

    from amauta_cli.services.asistencia import Marca, ResultadoRegistro
    from amauta_cli.services.planilla_asistencia import PlanillaMensual

app = typer.Typer(
    help=(
        "Asistencia diaria de los grupos: registrar (en una línea, desde un CSV o tecla por "
        "tecla), ver, pendientes, reporte, planilla mensual, alertas de inasistencias, importar, "
        "exportar y unificar registros repetidos de un día."
    ),
    no_args_is_help=True,
)

#: ``--institucion`` de los reportes de varios grupos: filtra, no desambigua.
OpcionInstitucionFiltro = Annotated[
    Optional[str],
    typer.Option(
        "--institucion",
        "-i",
        help=(
            "Solo los grupos de esta institución (nombre o id); con --grupo, la institución "
            "de ese grupo si su nombre se repite en varias."
        ),
        show_default=False,
    ),
]

OpcionFecha = Annotated[
    str,
    typer.Option("--fecha", help="Día: AAAA-MM-DD, DD/MM/AAAA, 'hoy' o 'ayer'.", show_default=True),
]


def _fecha(texto: str, campo: str) -> "date":
    from amauta_cli.parsing import parsear_fecha

    return parsear_fecha(texto, campo)


# --- registrar --------------------------------------------------------------------------------------
@app.command("registrar")
def registrar(
    grupo: OpcionGrupo,
    fecha: OpcionFecha = "hoy",
    todos: Annotated[
        Optional[str],
        typer.Option(
            "--todos",
            "-t",
            metavar="ESTADO",
            help="Estado de todo el grupo salvo las excepciones (PRESENTE, AUSENTE, TARDANZA, JUSTIFICADO o su inicial).",
        ),
    ] = None,
    presente: Annotated[
        Optional[list[str]],
        typer.Option("--presente", metavar="EMAIL[=OBS]", help="Estudiante presente (repetible).", show_default=False),
    ] = None,
    ausente: Annotated[
        Optional[list[str]],
        typer.Option("--ausente", metavar="EMAIL[=OBS]", help="Estudiante ausente (repetible).", show_default=False),
    ] = None,
    tardanza: Annotated[
        Optional[list[str]],
        typer.Option("--tardanza", metavar="EMAIL[=OBS]", help="Estudiante que llegó tarde (repetible).", show_default=False),
    ] = None,
    justificado: Annotated[
        Optional[list[str]],
        typer.Option(
            "--justificado",
            metavar="EMAIL[=OBS]",
            help='Ausencia justificada (repetible), p. ej. "ana@mail.com=certificado médico".',
            show_default=False,
        ),
    ] = None,
    archivo: Annotated[
        Optional[Path],
        typer.Option(
            "--archivo",
            "-a",
            metavar="ARCHIVO.csv",
            help="CSV con columnas email (o matricula), estado y observaciones (opcional).",
        ),
    ] = None,
    institucion: OpcionInstitucion = None,
    forzar: Annotated[
        bool,
        typer.Option(
            "--forzar",
            help="Registra aunque no sea día de clase (fin de semana, feriado, receso...): una jornada recuperatoria.",
        ),
    ] = False,
    si: OpcionSi = False,
    formato: OpcionFormato = Formato.tabla,
    interactivo: Annotated[
        bool, typer.Option("--interactivo", hidden=True, help="Fuerza el modo interactivo (pruebas).")
    ] = False,
) -> None:
    """Registra la asistencia de un grupo en un día (re-ejecutarlo es seguro).

    Ejemplos:

      amauta asistencia registrar -g "4to Grado A" --todos PRESENTE --ausente ana@mail.com --tardanza beto@mail.com

      amauta asistencia registrar -g "4to Grado A" --fecha 04/03/2024 --archivo asistencia.csv

      amauta asistencia registrar -g "4to Grado A"      (en una terminal: tecla por tecla)
    """
    from amauta_cli import salida
    from amauta_cli.services import asistencia as svc

    ctx = contexto()
    dia = _fecha(fecha, "--fecha")
    marcas: list[Marca] = []
    for opcion, valores, estado in (
        ("--presente", presente, "PRESENTE"),
        ("--ausente", ausente, "AUSENTE"),
        ("--tardanza", tardanza, "TARDANZA"),
        ("--justificado", justificado, "JUSTIFICADO"),
    ):
        for v in valores or []:
            marcas.append(svc.parsear_marca(v, estado, opcion))
    estado_todos = svc.parsear_estado(todos, "--todos") if todos is not None else None
    if archivo is not None:
        marcas.extend(_marcas_de_csv(archivo))
    if not marcas and estado_todos is None and archivo is None:
        if not (interactivo or es_terminal()):
            error_uso(
                "indique --todos ESTADO (más excepciones como --ausente EMAIL) o --archivo ARCHIVO.csv; "
                "sin ellos el registro es interactivo y necesita una terminal."
            )
        marcas = _interactivo(grupo, institucion, dia, forzar, si)
    with ctx.cruda() as c:
        r = svc.registrar(
            c, grupo, dia, marcas, todos=estado_todos, forzar=forzar, institucion=institucion
        )
    salida.exito(r.resumen())
    _avisar_dia(r, institucion)
    salida.emitir(
        [
            salida.Objeto(
                {
                    "grupo": r.grupo,
                    "grupo_id": r.grupo_id,
                    "fecha": r.fecha,
                    "creados": r.creados,
                    "actualizados": r.actualizados,
                    "sin_cambios": r.sin_cambios,
                    "por_estado": r.por_estado,
                    "sin_estado": [e["email"] for e in r.sin_estado],
                }
            ),
            salida.Vista(
                [Columna("estado", "Estado", "codigo"), Columna("estudiantes", "Estudiantes", "entero")],
                [{"estado": e, "estudiantes": n} for e, n in r.por_estado.items()],
                solo_en=salida.PLANILLAS,
            ),
        ],
        formato,
    )


def _avisar_dia(r: "ResultadoRegistro", institucion: str | None) -> None:
    """Avisos después de registrar: un día sin clase forzado, y un día a medio tomar (quiénes
    quedaron sin estado y cómo completarlo)."""
    import shlex

    from amauta_cli import salida, textos

    if r.dia_sin_clase:
        salida.aviso(
            f"{r.dia_sin_clase}: se registró igual (--forzar), pero no cuenta en porcentajes ni "
            "inasistencias mientras el calendario no lo tenga como día de clase "
            "(calendario.dias_de_clase en el archivo de ajustes; vea amauta calendario ver)."
        )
    if not r.sin_estado:
        return
    n = len(r.sin_estado)
    nombres = textos.enumerar([f"{e['apellido']}, {e['nombre']} ({e['email']})" for e in r.sin_estado])
    comando = (
        f"amauta asistencia registrar --grupo {shlex.quote(r.grupo)} --fecha {r.fecha.isoformat()}"
        + (f" --institucion {shlex.quote(institucion)}" if institucion else "")
    )
    ejemplo = " ".join(f"--presente {shlex.quote(e['email'])}" for e in r.sin_estado[:3])
    salida.aviso(
        f"el día quedó a medio tomar: {textos.plural(n, 'estudiante')} de '{r.grupo}' "
        f"{'quedó' if n == 1 else 'quedaron'} sin estado el {textos.fecha(r.fecha)}: {nombres}. "
        f"Para completarlo: {comando} {ejemplo}{' ...' if n > 3 else ''} (con el estado de cada "
        "uno), o sin opciones, en una terminal, estudiante por estudiante."
    )


def _marcas_de_csv(ruta: Path) -> list["Marca"]:
    """Las filas del CSV de ``registrar`` como marcas; todos los problemas juntos."""
    from amauta_cli.csvio import leer_csv, problema_linea
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.parsing import revisar_texto
    from amauta_cli.services import asistencia as svc
    from amauta_cli.textos import plural

    tabla = leer_csv(ruta, ["estado"], ["email", "matricula", "observaciones"])
    if "email" not in tabla.columnas and "matricula" not in tabla.columnas:
        raise DatosInvalidos(
            f"{ruta}: al CSV le falta la columna email (o matricula) que dice de qué estudiante es cada fila."
        )
    problemas = list(tabla.problemas)
    marcas = []
    for linea, v in tabla.filas:
        clave = v.get("email") or v.get("matricula") or ""
        try:
            if not clave:
                raise DatosInvalidos("falta el email (o la matrícula)")
            estado = svc.parsear_estado(v["estado"]) if v["estado"] else None
            if estado is None:
                raise DatosInvalidos("falta el estado")
        except DatosInvalidos as e:
            problemas.append(problema_linea(linea, e.mensaje))
            continue
        try:
            obs = revisar_texto(v.get("observaciones") or "", "observaciones", "observaciones")
        except DatosInvalidos as e:
            problemas.append(problema_linea(linea, e.mensaje))
            continue
        marcas.append(svc.Marca(clave, estado, obs or None, f"línea {linea}"))
    if problemas:
        raise DatosInvalidos(
            f"{ruta}: {plural(len(problemas), 'línea')} con problemas; no se registró nada.", problemas
        )
    if not marcas:
        raise DatosInvalidos(f"{ruta}: el archivo no tiene filas de datos; no se registró nada.")
    return marcas


_TECLAS = {"p": "PRESENTE", "a": "AUSENTE", "t": "TARDANZA", "j": "JUSTIFICADO"}


def _interactivo(
    grupo: str, institucion: str | None, dia: "date", forzar: bool, si: bool
) -> list["Marca"]:
    """Tecla por tecla: P/A/T/J (Enter = presente, o el estado ya registrado), luego resumen.

    Ctrl-C, Ctrl-D o Q en cualquier momento cancelan sin escribir nada.
    """
    from amauta_cli.errores import OperacionRechazada

    try:
        return _preguntar(grupo, institucion, dia, forzar, si)
    except (KeyboardInterrupt, EOFError, typer.Abort):
        typer.echo("", err=True)
        raise OperacionRechazada("Cancelado: no se guardó nada.") from None


def _preguntar(
    grupo: str, institucion: str | None, dia: "date", forzar: bool, si: bool
) -> list["Marca"]:
    from amauta_cli import salida, textos
    from amauta_cli.errores import DatosInvalidos, OperacionRechazada
    from amauta_cli.services import asistencia as svc
    from amauta_cli.services.comun import grupo_por_nombre

    svc.validar_fecha(dia, None, forzar)
    with contexto().cruda(solo_lectura=True) as c:
        g = grupo_por_nombre(c, grupo, institucion, exigir_activo=True)
        svc.validar_dia_de_clase(g, dia, forzar)
        p = svc.planilla(c, g.id, dia)
    estudiantes = [e for e in p.filas if e["activo"]]
    if not estudiantes:
        raise DatosInvalidos(f"El grupo '{p.grupo}' no tiene estudiantes activos: no hay asistencia que tomar.")
    n = len(estudiantes)
    salida.info(
        f"Asistencia de '{p.grupo}' ({p.institucion}), {textos.dia_semana(dia)} {textos.fecha(dia)}: "
        f"{textos.plural(n, 'estudiante')}."
    )
    salida.info(
        "Una tecla por estudiante: P presente, A ausente, T tardanza, J justificado; Enter = lo "
        "indicado entre corchetes; < vuelve al anterior; Q cancela sin guardar."
    )
    elegidos: list[tuple[str, str | None] | None] = [None] * n
    i = 0
    while i < n:
        e = estudiantes[i]
        previo = e["estado"]
        defecto = previo or "PRESENTE"
        ya = f", ya figura {previo}" if previo else ""
        typer.echo(
            f"[{i + 1}/{n}] {e['apellido']}, {e['nombre']} ({e['email']}{ya}) "
            f"P/A/T/J [Enter={defecto}]: ",
            err=True,
            nl=False,
        )
        tecla = typer.getchar()
        if tecla == "":
            typer.echo("", err=True)
            raise OperacionRechazada("La entrada terminó antes de completar la lista: no se guardó nada.")
        if tecla in ("\r", "\n"):
            estado = defecto
        elif tecla.lower() in _TECLAS:
            estado = _TECLAS[tecla.lower()]
        elif tecla in ("<", "\x7f", "\x08"):
            typer.echo("(vuelve al anterior)", err=True)
            i = max(i - 1, 0)
            continue
        elif tecla.lower() == "q" or tecla == "\x1b":
            typer.echo("", err=True)
            raise OperacionRechazada("Cancelado: no se guardó nada.")
        else:
            typer.echo(f"tecla '{tecla!s}' no válida: use P, A, T, J o Enter", err=True)
            continue
        typer.echo(estado, err=True)
        obs: str | None = None
        if previo and estado != previo:
            while not obs:
                obs = typer.prompt(
                    f"    Motivo del cambio ({previo} → {estado}, obligatorio)", err=True
                ).strip()
        elif estado == "JUSTIFICADO":
            obs = (
                typer.prompt("    Observación (Enter para omitir)", default="", show_default=False, err=True).strip()
                or None
            )
        elegidos[i] = (estado, obs)
        i += 1

    conteo = {k: 0 for k in svc.ESTADOS}
    for estado, _ in elegidos:  # type: ignore[misc]
        conteo[estado] += 1
    salida.info(f"Resumen: {svc.conteo_estados(conteo)}.")
    for e, (estado, obs) in zip(estudiantes, elegidos):  # type: ignore[misc]
        if estado != "PRESENTE":
            salida.info(f"  {estado:<11} {e['apellido']}, {e['nombre']}" + (f" — {obs}" if obs else ""))
    confirmar(f"¿Guardar la asistencia de {textos.plural(n, 'estudiante')}?", si)
    return [
        svc.Marca(e["email"], svc.parsear_estado(estado), obs, "")
        for e, (estado, obs) in zip(estudiantes, elegidos)  # type: ignore[misc]
    ]


# --- ver -----------------------------------------------------------------------------------------
@app.command("ver")
def ver(
    grupo: OpcionGrupo,
    fecha: OpcionFecha = "hoy",
    institucion: OpcionInstitucion = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """La lista del día de un grupo (orden alfabético): el estado de cada estudiante o 'sin registrar'."""
    from amauta_cli import salida, textos
    from amauta_cli.services import asistencia as svc

    dia = _fecha(fecha, "--fecha")
    with contexto().cruda(solo_lectura=True) as c:
        p = svc.planilla(c, grupo, dia, institucion)
    filas = [
        {
            "email": f["email"],
            "apellido": f["apellido"],
            "nombre": f["nombre"],
            "matricula": f["matricula"],
            "estado": f["estado"] or "sin registrar",
            "observaciones": f["observaciones"],
        }
        for f in p.filas
    ]
    de_baja = [f"{f['apellido']}, {f['nombre']}" for f in p.filas if not f["activo"]]
    notas = [f"Total: {svc.conteo_estados(p.conteo) or 'sin estudiantes'}."]
    if de_baja:
        notas.append(f"Dados de baja, con registro ese día: {'; '.join(de_baja)}.")
    vista = salida.Vista(
        [
            Columna("apellido", "Apellido", "nombre", prioridad=0),
            Columna("nombre", "Nombre", "nombre", prioridad=0),
            Columna("email", "Email", "email", prioridad=1),
            Columna("matricula", "Matrícula", "codigo", prioridad=3),
            Columna("estado", "Estado", "codigo", prioridad=0),
            Columna("observaciones", "Observaciones", "texto", prioridad=2),
        ],
        filas,
        titulo=f"{p.grupo} ({p.institucion}) — {textos.dia_semana(dia)} {textos.fecha(dia)}",
        vacio=f"El grupo '{p.grupo}' no tiene estudiantes.",
        notas=notas,
    )
    salida.emitir(vista, formato)
    if p.repetidos:
        salida.aviso(
            f"{', '.join(f['email'] for f in p.repetidos)}: más de un registro ese día (uno de la "
            "aplicación web y otro de amauta); se muestra el más reciente. Unifíquelos con "
            f"`amauta asistencia unificar --grupo \"{p.grupo}\" --desde {dia.isoformat()} "
            f"--hasta {dia.isoformat()}`."
        )


# --- pendientes -------------------------------------------------------------------------------------
#: Código de salida de ``pendientes`` cuando hay algo pendiente (para que un script programado avise).
HAY_PENDIENTES = 3


@app.command("pendientes")
def pendientes(
    institucion: Annotated[
        Optional[str],
        typer.Option("--institucion", "-i", metavar="INSTITUCION", help="Solo los grupos de esta institución (nombre o id).", show_default=False),
    ] = None,
    fecha: Annotated[
        Optional[str], typer.Option("--fecha", metavar="FECHA", help="Un día: AAAA-MM-DD, DD/MM/AAAA, 'hoy' o 'ayer' (por defecto, hoy).", show_default=False)
    ] = None,
    desde: Annotated[Optional[str], typer.Option("--desde", metavar="FECHA", help="Primer día de un rango.", show_default=False)] = None,
    hasta: Annotated[
        Optional[str], typer.Option("--hasta", metavar="FECHA", help="Último día del rango (por defecto, hoy).", show_default=False)
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Los grupos activos que no tomaron asistencia un día de clase, o que dejaron estudiantes sin estado.

    Nunca lista un día sin clase (fin de semana, feriado, receso: ver amauta calendario ver).
    Sale con código 3 si hay algo pendiente (0 si no), para que un script programado avise:

      amauta asistencia pendientes --fecha ayer > pendientes.txt; [ $? -eq 3 ] && enviar-aviso
    """
    from datetime import date

    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import asistencia as svc

    if fecha is not None and (desde or hasta):
        error_uso("Use --fecha (un día) o --desde/--hasta (un rango), no ambos.")
    if hasta is not None and desde is None:
        error_uso("--hasta va con --desde.")
    if desde is not None:
        d = _fecha(desde, "--desde")
        h = _fecha(hasta, "--hasta") if hasta else date.today()
    else:
        d = h = _fecha(fecha or "hoy", "--fecha")
    with contexto().sesion(solo_lectura=True) as s:
        filas = svc.pendientes(s, d, h, institucion)
        aviso = _dia_sin_clase(s, d, institucion) if d == h else None
    cuando = f"el {textos.dia_semana(d)} {textos.fecha(d)}" if d == h else f"del {textos.fecha(d)} al {textos.fecha(h)}"
    grupos = len({p.grupo_id for p in filas})
    vista = Vista(
        [
            Columna("fecha", "Fecha", "fecha", prioridad=0),
            Columna("institucion", "Institución", "nombre", prioridad=1),
            Columna("grupo", "Grupo", "nombre", prioridad=0),
            Columna("educador", "Educador", "email", prioridad=4),
            Columna("estudiantes", "Estudiantes", "entero", prioridad=1),
            Columna("sin_estado", "Sin estado", "entero", prioridad=0),
            Columna("situacion", "Situación", prioridad=0),
            Columna("grupo_id", "Id del grupo", "codigo", prioridad=5),
        ],
        [dict(vars(p), situacion=p.situacion) for p in filas],
        titulo=f"Asistencia pendiente {cuando}",
        vacio=aviso or f"Todos los grupos activos tomaron asistencia completa {cuando}.",
        notas=[
            f"{textos.plural(len(filas), 'día pendiente', 'días pendientes')} de "
            f"{textos.plural(grupos, 'grupo')}. «sin registro»: nadie tiene estado ese día; "
            "«incompleto»: algunos estudiantes activos quedaron sin estado."
        ],
    )
    salida.emitir(vista, formato)
    if filas:
        raise typer.Exit(HAY_PENDIENTES)


def _dia_sin_clase(s: "Session", d: "date", institucion: str | None) -> str | None:
    """Si ``d`` no es día de clase (en la institución, o en el calendario general): por qué."""
    from amauta_cli.services import calendario

    if institucion:
        from amauta_cli.services.comun import buscar_institucion

        cal = calendario.de_institucion(s, buscar_institucion(s, institucion).id)
    else:
        cal = calendario.calendario()
    dia = cal.dia(d)
    return None if dia.de_clase else f"{dia.explicacion}: no es día de clase, no hay asistencia pendiente."


# --- reporte --------------------------------------------------------------------------------------------
def _columnas_reporte() -> list[Columna]:
    return [
        Columna("email", "Email", "email", prioridad=1),
        Columna("apellido", "Apellido", "nombre", prioridad=0),
        Columna("nombre", "Nombre", "nombre", prioridad=0),
        Columna("matricula", "Matrícula", "codigo", prioridad=4),
        Columna("registrados", "Días registrados", "entero", prioridad=2),
        Columna("presentes", "Presentes", "entero", prioridad=3),
        Columna("tardanzas", "Tardanzas", "entero", prioridad=2),
        Columna("ausentes", "Ausentes", "entero", prioridad=2),
        Columna("justificados", "Justificados", "entero", prioridad=2),
        Columna("inasistencias", "Inasistencias", "decimal", prioridad=1),
        Columna("justificadas", "De ellas justificadas", "decimal", prioridad=3),
        Columna("porcentaje", "% asistencia", "decimal", decimales=1, prioridad=1),
    ]


def _periodo(mes: str | None, desde: str | None, hasta: str | None) -> tuple["date", "date"]:
    from datetime import date

    from amauta_cli.parsing import parsear_mes

    if mes and (desde or hasta):
        error_uso("Use --mes o --desde/--hasta, no ambos.")
    if mes:
        return parsear_mes(mes, "--mes")
    if not desde:
        error_uso("Indique el período: --mes AAAA-MM, o --desde FECHA --hasta FECHA.")
    d = _fecha(desde, "--desde")  # type: ignore[arg-type]
    h = _fecha(hasta, "--hasta") if hasta else date.today()
    return d, h


@app.command("reporte")
def reporte(
    grupo: OpcionGrupo,
    mes: Annotated[Optional[str], typer.Option("--mes", "-m", help="Mes: AAAA-MM o MM/AAAA.")] = None,
    desde: Annotated[Optional[str], typer.Option("--desde", help="Primer día del período.")] = None,
    hasta: Annotated[
        Optional[str], typer.Option("--hasta", help="Último día del período (por defecto, hoy).")
    ] = None,
    institucion: OpcionInstitucion = None,
    formato: OpcionFormato = Formato.tabla,
    html: Annotated[
        Optional[Path],
        typer.Option("--html", metavar="ARCHIVO", help="Además, escribe una página HTML imprimible."),
    ] = None,
    incluir_archivo: OpcionIncluirArchivo = False,
) -> None:
    """Por estudiante: días de cada estado, inasistencias computadas y % de asistencia; totales del grupo."""
    from amauta_cli import salida, textos
    from amauta_cli.services import asistencia as svc

    d, h = _periodo(mes, desde, hasta)
    regla = svc.regla_vigente()
    with contexto().cruda(solo_lectura=True) as c:
        rep = svc.reporte(c, grupo, d, h, regla, institucion, incluir_archivo=incluir_archivo)
    avisar_archivado(rep.archivadas, "registro de asistencia", "registros de asistencia")
    if rep.registros_sin_clase:
        salida.aviso(
            f"{textos.plural(rep.registros_sin_clase, 'registro', 'registros')} del período "
            f"{'es' if rep.registros_sin_clase == 1 else 'son'} de días sin clase (feriados, receso...) "
            "y no se cuentan; vea amauta calendario ver."
        )
    periodo = f"del {textos.fecha(d)} al {textos.fecha(h)}"
    filas = [dict(f, _excede=f["inasistencias"] >= regla.limite) for f in rep.filas]
    vista = salida.Vista(
        _columnas_reporte(),
        filas,
        titulo=f"Asistencia de {rep.grupo} ({rep.institucion}), {periodo}",
        totales=dict(rep.totales, email="TOTAL", apellido=textos.plural(rep.totales["estudiantes"], "estudiante")),
        notas=["Cómo se cuenta: " + regla.describir()],
        vacio=f"El grupo '{rep.grupo}' no tiene estudiantes ni registros en el período.",
        resaltar="_excede",
        solo_en=salida.SIN_JSON,
    )
    if html is not None:
        from dataclasses import replace

        from amauta_cli.salida import html as paginas

        pagina = paginas.pagina_de_vista(
            replace(vista, titulo=f"Asistencia — {rep.grupo}", subtitulos=[rep.institucion, periodo.capitalize()]),
            apaisada=True,
        )
        paginas.escribir(html, pagina)
        salida.exito(f"Página imprimible escrita en {html}.")
    salida.emitir([salida.Objeto(rep.como_dict()), vista], formato)


# --- alertas ---------------------------------------------------------------------------------------------
@app.command("alertas")
def alertas(
    institucion: OpcionInstitucionFiltro = None,
    grupo: Annotated[
        Optional[str], typer.Option("--grupo", "-g", help="Solo este grupo (nombre o id).")
    ] = None,
    desde: Annotated[
        Optional[str],
        typer.Option("--desde", help="Contar desde este día (por defecto, el inicio del ciclo lectivo)."),
    ] = None,
    limite: Annotated[
        Optional[float],
        typer.Option("--limite", "-l", help="Límite de inasistencias (por defecto, el de los ajustes: 15)."),
    ] = None,
    porcentaje: Annotated[
        Optional[float],
        typer.Option(
            "--porcentaje",
            "-p",
            help="Alertar desde este porcentaje del límite (por defecto 80: con límite 15, desde 12).",
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
    incluir_archivo: OpcionIncluirArchivo = False,
) -> None:
    """Estudiantes en el límite de inasistencias o cerca, el peor primero."""
    from amauta_cli import salida, textos
    from amauta_cli.services import asistencia as svc

    regla = svc.regla_vigente(limite=limite, porcentaje=porcentaje)
    d = _fecha(desde, "--desde") if desde else None
    with contexto().sesion(solo_lectura=True) as s:
        archivadas: list[int] = []
        d, filas = svc.alertas(
            s, regla, d, institucion=institucion, grupo=grupo,
            incluir_archivo=incluir_archivo, archivadas=archivadas,
        )
    avisar_archivado(sum(archivadas), "registro de asistencia", "registros de asistencia")
    umbral, lim = textos.numero(regla.umbral), textos.numero(regla.limite)
    vista = salida.Vista(
        [
            Columna("institucion", "Institución", "nombre", prioridad=4),
            Columna("grupo", "Grupo", "nombre", prioridad=3),
            Columna("apellido", "Apellido", "nombre", prioridad=0),
            Columna("nombre", "Nombre", "nombre", prioridad=0),
            Columna("email", "Email", "email", prioridad=2),
            Columna("registrados", "Días", "entero", prioridad=3),
            Columna("ausentes", "Ausentes", "entero", prioridad=3),
            Columna("tardanzas", "Tardanzas", "entero", prioridad=3),
            Columna("justificados", "Justificados", "entero", prioridad=3),
            Columna("inasistencias", "Inasistencias", "decimal", prioridad=0),
            Columna("justificadas", "Justificadas", "decimal", prioridad=4),
            Columna("limite", "Límite", "decimal", prioridad=4),
            Columna("restantes", "Restan", "decimal", prioridad=1),
            Columna("porcentaje", "% asistencia", "decimal", decimales=1, prioridad=2),
            Columna("situacion", "Situación", "texto", prioridad=1),
        ],
        filas,
        titulo=f"Alertas de inasistencias desde el {textos.fecha(d)} (umbral {umbral} de {lim})",
        vacio=f"Nadie alcanza el umbral de alerta ({umbral} inasistencias de {lim}) desde el {textos.fecha(d)}.",
        notas=["Cómo se cuenta: " + regla.describir()],
    )
    salida.emitir(vista, formato)


# --- importar / exportar ---------------------------------------------------------------------------------
@app.command("importar")
def importar(
    archivo: Annotated[
        Path, typer.Argument(metavar="ARCHIVO.csv", help="CSV: grupo, email, fecha, estado, observaciones.")
    ],
    institucion: OpcionInstitucion = None,
    forzar: Annotated[
        bool, typer.Option("--forzar", help="Acepta filas de días sin clase (fin de semana, feriado, receso...).")
    ] = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Carga asistencia histórica o masiva: valida todo el archivo y luego lo carga en una transacción."""
    from amauta_cli import salida
    from amauta_cli.errores import NoEncontrado
    from amauta_cli.services import asistencia as svc

    if not archivo.is_file():
        raise NoEncontrado(f"No existe el archivo '{archivo}'.")
    total = svc.contar_lineas(archivo)
    with salida.progreso(f"Importando {archivo.name}", total=total) as avanzar:
        with contexto().sesion() as s:
            r = svc.importar(s, archivo, institucion=institucion, forzar=forzar, avanzar=avanzar)
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo("Asistencia")
    if r.columnas_ignoradas:
        salida.aviso(f"se ignoraron las columnas: {', '.join(r.columnas_ignoradas)}.")
    salida.exito(r.resumen())
    datos = {
        "lineas": r.lineas,
        "creados": r.creados,
        "actualizados": r.actualizados,
        "sin_cambios": r.sin_cambios,
        "grupos": r.grupos,
    }
    salida.emitir(
        [
            salida.Objeto(datos),
            salida.Ficha(
                [
                    salida.Campo("lineas", "Líneas", r.lineas, "entero"),
                    salida.Campo("creados", "Creados", r.creados, "entero"),
                    salida.Campo("actualizados", "Actualizados", r.actualizados, "entero"),
                    salida.Campo("sin_cambios", "Sin cambios", r.sin_cambios, "entero"),
                    salida.Campo("grupos", "Grupos", r.grupos, "entero"),
                ],
                solo_en=salida.PLANILLAS,
            ),
        ],
        formato,
    )


#: ``asistencia exportar``: el formato de ``importar`` (en excel, con títulos que ``importar``
#: también reconoce).
COLUMNAS_ARCHIVO = [
    Columna("grupo", "Grupo", "nombre"),
    Columna("email", "Email", "email"),
    Columna("fecha", "Fecha", "fecha"),
    Columna("estado", "Estado", "codigo"),
    Columna("observaciones", "Observaciones"),
]


@app.command("exportar")
def exportar(
    grupo: Annotated[Optional[str], typer.Option("--grupo", "-g", help="Solo este grupo.")] = None,
    institucion: OpcionInstitucionFiltro = None,
    desde: Annotated[Optional[str], typer.Option("--desde", help="Desde este día.")] = None,
    hasta: Annotated[Optional[str], typer.Option("--hasta", help="Hasta este día.")] = None,
    formato: Annotated[
        FormatoArchivo,
        typer.Option(
            "--formato", "-f",
            help="csv (por defecto, el formato de importar), json o excel (para abrir en Excel; también se importa).",
            case_sensitive=False,
        ),
    ] = FormatoArchivo.csv,
) -> None:
    """Escribe la asistencia en stdout (grupo, email, fecha, estado, observaciones), en streaming."""
    from amauta_cli import salida
    from amauta_cli.services import asistencia as svc

    d = _fecha(desde, "--desde") if desde else None
    h = _fecha(hasta, "--hasta") if hasta else None
    # `exportar | head`: la tubería cerrada la maneja GrupoAmauta (cli/main.py), en silencio.
    with contexto().sesion(solo_lectura=True) as s:
        salida.emitir(
            salida.Vista(
                COLUMNAS_ARCHIVO,
                svc.exportar(s, grupo, institucion, d, h),
                vacio="No hay registros de asistencia que exportar.",
            ),
            formato,
        )


# --- planilla ---------------------------------------------------------------------------------------------
_INICIALES = ("lu", "ma", "mi", "ju", "vi", "sá", "do")


@app.command("planilla")
def planilla(
    mes: Annotated[str, typer.Option("--mes", "-m", metavar="AAAA-MM", help="El mes: AAAA-MM o MM/AAAA.")],
    grupo: Annotated[
        Optional[str],
        typer.Option("--grupo", "-g", metavar="GRUPO", help="Grupo (nombre o id). Sin --grupo y con --institucion: todos sus grupos.", show_default=False),
    ] = None,
    institucion: Annotated[
        Optional[str],
        typer.Option(
            "--institucion", "-i", metavar="INSTITUCION",
            help="Con --grupo, desambigua el nombre; sin --grupo, la planilla de cada grupo activo (con --html CARPETA).",
            show_default=False,
        ),
    ] = None,
    html: Annotated[
        Optional[Path],
        typer.Option(
            "--html", metavar="ARCHIVO|CARPETA",
            help="Escribe la página imprimible (A4 apaisada, con firma); con --institucion, una por grupo en la carpeta.",
            show_default=False,
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """La planilla mensual de asistencia: un estudiante por fila, un día por columna y los totales.

    Días sin clase marcados con su motivo (no se cuentan); totales del mes con la regla de los
    ajustes y las inasistencias del año hasta fin de mes.

    Ejemplos:

      amauta asistencia planilla --grupo "4to Grado A" --mes 2026-11 --html noviembre.html

      amauta asistencia planilla --grupo "4to Grado A" --mes 2026-11 --formato excel > noviembre.csv

      amauta asistencia planilla --institucion "Escuela Nº 42" --mes 2026-11 --html planillas/
    """
    from amauta_cli import salida
    from amauta_cli.parsing import parsear_mes
    from amauta_cli.services import asistencia as svc
    from amauta_cli.services import planilla_asistencia as pla

    if grupo is None and institucion is None:
        error_uso("Indique --grupo G (o --institucion I con --html CARPETA para todos sus grupos).")
    if grupo is None and html is None:
        error_uso("Con --institucion y sin --grupo se escribe una planilla por grupo: indique --html CARPETA.")
    desde, _ = parsear_mes(mes, "--mes")
    regla = svc.regla_vigente()
    with contexto().sesion(solo_lectura=True) as s:
        if grupo is not None:
            lista = [pla.planilla(s, grupo, desde.year, desde.month, regla, institucion)]
        else:
            lista = pla.planillas_de_institucion(s, institucion, desde.year, desde.month, regla)  # type: ignore[arg-type]
    if html is not None:
        _planillas_html(lista, html, carpeta=grupo is None)
        if grupo is None:
            return
    p = lista[0]
    salida.emitir([_ficha_planilla(p), _vista_planilla(p, humana=True), _vista_planilla(p, humana=False)], formato)


def _titulo_planilla(p: "PlanillaMensual") -> str:
    from amauta_cli import textos

    return f"Planilla de asistencia de {textos.nombre_mes(p.desde.month, p.desde.year)}"


def _subtitulos_planilla(p: "PlanillaMensual") -> list[str]:
    curso = " ".join(x for x in (p.grado, p.seccion) if x)
    return [
        f"Grupo: {p.grupo}" + (f" ({curso})" if curso else ""),
        f"Docente: {p.educador} ({p.educador_email})" if p.educador_email else "Docente: —",
        f"Institución: {p.institucion}",
    ]


def _notas_planilla(p: "PlanillaMensual") -> list[str]:
    from amauta_cli import textos

    sin_clase = [d for d in p.dias if not d.de_clase]
    notas = [
        f"P presente · A ausente · T tardanza · J justificado. {textos.plural(p.dias_de_clase, 'día de clase', 'días de clase')}"
        " en el mes; los días sin clase no se cuentan."
    ]
    if sin_clase:
        notas.append(
            "Días sin clase: "
            + "; ".join(f"{textos.fecha_corta(d.fecha)} ({d.letra}) {d.motivo}" for d in sin_clase)
            + "."
        )
    notas.append(
        f"Inasistencias del año: desde el inicio del ciclo lectivo ({textos.fecha(p.ciclo[0])}) hasta el "
        f"{textos.fecha(p.hasta)}. Cómo se cuenta: {p.regla.describir()}"
    )
    return notas


def _ficha_planilla(p: "PlanillaMensual") -> Any:
    from amauta_cli.salida import Campo, Ficha

    return Ficha(
        [
            Campo("grupo", "Grupo", p.grupo),
            Campo("grupo_id", "Id del grupo", p.grupo_id),
            Campo("institucion", "Institución", p.institucion),
            Campo("educador", "Docente", p.educador),
            Campo("educador_email", "Email del docente", p.educador_email),
            Campo("desde", "Desde", p.desde, "fecha"),
            Campo("hasta", "Hasta", p.hasta, "fecha"),
            Campo("dias_de_clase", "Días de clase", p.dias_de_clase, "entero"),
            Campo("dias", "Días", [{"fecha": d.fecha, "de_clase": d.de_clase, "motivo": d.motivo or None} for d in p.dias]),
            Campo("regla", "Regla", p.regla.como_dict()),
            Campo("totales_mes", "Totales del mes", p.totales_mes),
            Campo("totales_anio", "Totales del año", p.totales_anio),
        ],
        solo_en=("json",),
    )


def _vista_planilla(p: "PlanillaMensual", humana: bool, html: bool = False) -> Any:
    """La grilla. ``humana`` (tabla y html): títulos cortos y la letra del motivo en los días sin
    clase; si no (json, csv, excel): una columna por fecha y solo los estados."""
    from amauta_cli import textos
    from amauta_cli.salida import Columna, Vista

    cols = []
    if humana:
        cols.append(Columna("estudiante", "Estudiante", "nombre", prioridad=0))
    else:
        cols += [Columna("apellido", "Apellido", "nombre"), Columna("nombre", "Nombre", "nombre"),
                 Columna("email", "Email", "email"), Columna("matricula", "Matrícula", "codigo")]
    for d in p.dias:
        if html:
            titulo = f"{_INICIALES[d.fecha.weekday()]} {d.fecha.day}"
        elif humana:
            titulo = str(d.fecha.day)
        else:
            titulo = f"{textos.dia_semana(d.fecha)[:3]} {d.fecha:%d/%m}" + ("" if d.de_clase else f" ({d.motivo})")
        cols.append(Columna(d.fecha.isoformat(), titulo, "codigo", prioridad=0))
    cols += [
        Columna("presentes", "P", "entero", prioridad=0),
        Columna("ausentes", "A", "entero", prioridad=0),
        Columna("tardanzas", "T", "entero", prioridad=0),
        Columna("justificados", "J", "entero", prioridad=0),
        Columna("inasistencias", "Inasist.", "decimal", prioridad=0),
        Columna("inasistencias_anio", "Inasist. del año", "decimal", prioridad=0),
    ]
    if not humana:
        cols.append(Columna("porcentaje", "% asistencia", "porcentaje"))
    filas = []
    for f in p.filas:
        fila: dict[str, Any] = {
            "apellido": f.apellido, "nombre": f.nombre, "email": f.email, "matricula": f.matricula,
            "estudiante": f"{f.apellido}, {f.nombre}" + ("" if f.en_grupo else " (ya no está en el grupo)")
            + ("" if f.activo else " (inactivo)"),
            "inasistencias_anio": f.anio["inasistencias"], "porcentaje": f.mes["porcentaje"],
            **{k: f.mes[k] for k in ("presentes", "ausentes", "tardanzas", "justificados", "inasistencias")},
        }
        for d in p.dias:
            estado = f.estados.get(d.fecha, "")
            fila[d.fecha.isoformat()] = estado if (estado or not humana or html) else d.letra
        filas.append(fila)
    totales = {"estudiante": "Total", "apellido": "Total", "inasistencias_anio": p.totales_anio["inasistencias"],
               "porcentaje": p.totales_mes["porcentaje"],
               **{k: p.totales_mes[k] for k in ("presentes", "ausentes", "tardanzas", "justificados", "inasistencias")}}
    return Vista(
        cols, filas, titulo=_titulo_planilla(p) if humana else None,
        subtitulos=_subtitulos_planilla(p) if humana else (), totales=totales,
        notas=_notas_planilla(p) if humana else (), vacio=f"El grupo '{p.grupo}' no tiene estudiantes.",
        clave_json="estudiantes", solo_en=("tabla",) if humana else ("json", "csv", "excel"),
        mudar=False,
        si_no_entra=(
            "la planilla no entra en esta terminal: use una más ancha (apaisada), --html ARCHIVO para "
            "imprimirla o --formato excel para abrirla en Excel"
        ),
    )


def _planillas_html(lista: "list[PlanillaMensual]", destino: Path, carpeta: bool) -> None:
    import re

    from amauta_cli import salida, textos
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.salida import html as h

    if carpeta:
        if destino.exists() and not destino.is_dir():
            raise DatosInvalidos(f"--html {destino}: con --institucion se escribe un archivo por grupo: indique una carpeta.")
        try:
            destino.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as e:
            raise DatosInvalidos(f"No se pudo crear la carpeta {destino}: {e.strerror}.") from None
    escritas = []
    usados: set[str] = set()
    for p in lista:
        if carpeta:
            base = re.sub(r"[^a-z0-9]+", "-", textos.sin_acentos(p.grupo)).strip("-") or "grupo"
            nombre = f"planilla-{base}-{p.desde:%Y-%m}.html"
            if nombre in usados:
                nombre = f"planilla-{base}-{p.grupo_id}-{p.desde:%Y-%m}.html"
            usados.add(nombre)
            ruta = destino / nombre
        else:
            ruta = destino
        v = _vista_planilla(p, humana=True, html=True)
        clases = [""] + [("dia" if d.de_clase else "dia gris") for d in p.dias] + [""] * 6
        cuerpo = h.tabla(v, clases_columna=clases, clase_tabla="planilla")
        pagina = h.pagina(
            _titulo_planilla(p), cuerpo, subtitulos=_subtitulos_planilla(p)[:2] + [f"Mes: {textos.nombre_mes(p.desde.month, p.desde.year)}"],
            encabezado=p.institucion, notas=_notas_planilla(p),
            firmas=["Firma del docente", "Firma de la dirección"], apaisada=True,
        )
        try:
            h.escribir(ruta, pagina)
        except OSError as e:
            raise DatosInvalidos(f"No se pudo escribir {ruta}: {e.strerror}.") from None
        escritas.append(ruta)
    if carpeta:
        salida.exito(f"{textos.plural(len(escritas), 'planilla escrita', 'planillas escritas')} en {destino}/ (una por grupo).")
    else:
        salida.exito(f"Planilla imprimible escrita en {escritas[0]} (A4 apaisada).")


# --- unificar -------------------------------------------------------------------------------------------
@app.command("unificar")
def unificar(
    grupo: Annotated[Optional[str], typer.Option("--grupo", "-g", help="Solo este grupo.")] = None,
    institucion: OpcionInstitucion = None,
    desde: Annotated[Optional[str], typer.Option("--desde", help="Desde este día.")] = None,
    hasta: Annotated[Optional[str], typer.Option("--hasta", help="Hasta este día.")] = None,
    simular: Annotated[
        bool, typer.Option("--simular", help="Solo muestra qué se conservaría y qué se borraría.")
    ] = False,
    si: OpcionSi = False,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Une los registros repetidos de un estudiante en un mismo día: conserva el más reciente.

    La aplicación web guarda el día como las 03:00 UTC y amauta como las 00:00: una base
    vieja puede tener los dos. Muestra cada caso (qué se conserva y qué se borra) y pide
    confirmación; --simular solo muestra.
    """
    from amauta_cli import salida, textos
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import asistencia as svc

    d = _fecha(desde, "--desde") if desde else None
    h = _fecha(hasta, "--hasta") if hasta else None
    ctx = contexto()
    with ctx.sesion(solo_lectura=True) as s:
        previstos = svc.repetidos(s, grupo, institucion, d, h)
    if not previstos:
        salida.exito("No hay estudiantes con más de un registro de asistencia en un mismo día.")
        return
    borrar = sum(1 for r in previstos if not r.conservar)
    dias = len({(r.grupo_id, r.email, r.dia) for r in previstos})
    salida.emitir(
        Vista(
            titulo="Registros de asistencia repetidos en un mismo día",
            columnas=[
                Columna("grupo", "Grupo", "nombre", prioridad=1),
                Columna("estudiante", "Estudiante", "nombre", prioridad=0),
                Columna("email", "Email", "email", prioridad=2),
                Columna("dia", "Día", "fecha", prioridad=0),
                Columna("hora", "Hora (UTC)", "codigo", prioridad=1),
                Columna("estado", "Estado", "codigo", prioridad=0),
                Columna("observaciones", "Observaciones", "texto", prioridad=3),
                Columna("actualizado", "Actualizado (UTC)", "fecha_hora", prioridad=2),
                Columna("accion", "Acción", "texto", prioridad=0),
                Columna("id", "Id", "codigo", prioridad=4),
            ],
            filas=[
                {
                    "grupo": r.grupo,
                    "estudiante": r.estudiante,
                    "email": r.email,
                    "dia": r.dia,
                    "hora": f"{r.fecha:%H:%M}",
                    "estado": r.estado,
                    "observaciones": r.observaciones,
                    "actualizado": r.actualizado,
                    "accion": "se conserva" if r.conservar else "se borra",
                    "id": r.id,
                }
                for r in previstos
            ],
            notas=[
                f"{textos.plural(dias, 'día repetido')}: se conserva el registro actualizado más "
                f"recientemente y se {'borra' if borrar == 1 else 'borran'} los demás "
                f"({textos.plural(borrar, 'registro')})."
            ],
        ),
        formato,
    )
    if simular:
        salida.info("--simular: no se borró nada.")
        return
    confirmar(f"¿Borrar {textos.plural(borrar, 'registro repetido')}?", si)
    with ctx.sesion() as s:
        r = svc.unificar(s, previstos, grupo, institucion, d, h)
    salida.exito(
        f"Asistencia unificada: {textos.plural(r.borrados, 'registro borrado')}; "
        "queda uno por estudiante y día."
    )
