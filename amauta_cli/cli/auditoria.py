"""``amauta auditoria``: quién cambió qué en la asistencia y las calificaciones, y cuándo.

Los registros los escribe la propia base (disparadores de la migración 0005) para cualquier
cliente: amauta, la aplicación web, psql. Con credenciales de escuela se ven solo los de sus
grupos, y nadie con esas credenciales puede cambiarlos ni borrarlos.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Optional

import typer

from amauta_cli.cli.comun import OpcionGrupoOpcional, OpcionInstitucion, contexto
from amauta_cli.salida import Formato, OpcionFormato

ACCIONES = {
    "INSERT": "alta", "UPDATE": "cambio", "DELETE": "baja",
    # Una fila por tabla y movimiento de db archivar/desarchivar (no una por fila movida).
    "ARCHIVAR": "archivo", "DESARCHIVAR": "desarchivo",
}
TABLAS = {"Asistencia": "asistencia", "Calificacion": "calificaciones"}


def _fecha(valor: Optional[str], opcion: str) -> Optional[date]:
    if valor is None:
        return None
    from amauta_cli.parsing import parsear_fecha

    return parsear_fecha(valor, opcion)


def _cambios(r: Any) -> str:
    """Qué pasó, en una línea: los campos que cambiaron, o los valores de un alta o una baja."""
    from amauta_cli.salida import texto_humano

    if r.operacion == "UPDATE":
        antes, despues = r.valores_antes or {}, r.valores_despues or {}
        campos = r.campos_cambiados
        if not campos:
            return "sin cambios de valores"
        return "; ".join(
            f"{c}: {texto_humano(antes.get(c)) or '—'} → {texto_humano(despues.get(c)) or '—'}" for c in campos
        )
    valores = r.valores_despues if r.antes is None else r.valores_antes  # alta o resumen / baja
    # "; " como en los cambios: la coma decimal de las notas ("nota: 7,5") no se confunde.
    return "; ".join(f"{c}: {texto_humano(v)}" for c, v in (valores or {}).items() if v is not None)


def auditoria(
    grupo: OpcionGrupoOpcional = None,
    institucion: OpcionInstitucion = None,
    estudiante: Annotated[
        Optional[str], typer.Option("--estudiante", "-e", help="Email del estudiante.", show_default=False)
    ] = None,
    desde: Annotated[
        Optional[str], typer.Option("--desde", help="Desde este día (2024-03-04 o 04/03/2024), incluido.", show_default=False)
    ] = None,
    hasta: Annotated[
        Optional[str], typer.Option("--hasta", help="Hasta este día, incluido.", show_default=False)
    ] = None,
    rol: Annotated[
        Optional[str], typer.Option("--rol", "-r", help="Solo lo que hizo este rol de la base.", show_default=False)
    ] = None,
    tabla: Annotated[
        Optional[str], typer.Option("--tabla", "-t", help="asistencia o calificaciones.", show_default=False)
    ] = None,
    limite: Annotated[
        int, typer.Option("--limite", "-n", min=1, help="Cuántos registros mostrar, los más recientes primero.")
    ] = 500,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Altas, cambios y bajas de asistencia y calificaciones: cuándo, quién (rol de la base y
    usuario del sistema de amauta) y los valores antes y después."""
    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista
    from amauta_cli.services import auditoria as servicio
    from amauta_cli.textos import entero

    d, h = _fecha(desde, "--desde"), _fecha(hasta, "--hasta")
    with contexto().sesion(solo_lectura=True) as s:
        a = servicio.listar(s, grupo, institucion, estudiante, d, h, rol, tabla, limite)
    filas = [
        {
            "momento": r.momento,
            "accion": ACCIONES.get(r.operacion, r.operacion),
            "tabla": TABLAS.get(r.tabla, r.tabla),
            "grupo": r.grupo,
            "estudiante": r.estudiante,
            "cambios": _cambios(r),
            "rol": r.rol,
            "usuario_so": r.usuario_so,
            "cliente": r.cliente,
            "institucion": r.institucion,
            "registro": r.registro_id,
            "antes": r.valores_antes,
            "despues": r.valores_despues,
        }
        for r in a.registros
    ]
    notas = []
    if not contexto().objetivo.es_postgresql:
        notas.append(
            "SQLite no tiene roles ni seguridad por filas: la auditoría registra toda escritura "
            "en este archivo y amauta anota el usuario del sistema en las suyas."
        )
    if a.total > len(filas):
        notas.append(
            (
                "Se muestra el registro más reciente"
                if len(filas) == 1
                else f"Se muestran los {entero(len(filas))} registros más recientes"
            )
            + f" de {entero(a.total)}: acote con --desde, --hasta, --grupo, --estudiante, --rol o "
            "--tabla, o suba --limite."
        )
    columnas = [
        Columna("momento", "Momento", "fecha_hora", prioridad=0),
        Columna("accion", "Acción", prioridad=0),
        Columna("tabla", "Tabla", prioridad=2),
        Columna("grupo", "Grupo", "nombre", prioridad=1),
        Columna("estudiante", "Estudiante", "email", prioridad=0),
        Columna("cambios", "Qué", "nombre", prioridad=0),
        Columna("rol", "Rol de la base", "codigo", prioridad=1),
        Columna("usuario_so", "Usuario del sistema", "codigo", prioridad=2),
        Columna("cliente", "Cliente", "codigo", prioridad=3),
        Columna("institucion", "Institución", "nombre", prioridad=3),
        Columna("antes", "Antes", prioridad=5),
        Columna("despues", "Después", prioridad=5),
        Columna("registro", "Registro", "codigo", prioridad=6),
    ]

    def vista(cols: list[Columna], solo_en: tuple[str, ...]) -> Vista:
        return Vista(
            titulo="Auditoría de asistencia y calificaciones",
            columnas=cols,
            filas=filas,
            notas=notas,
            vacio="No hay registros de auditoría con esos filtros.",
            solo_en=solo_en,
        )

    # En la tabla, "Qué" ya dice lo que cambió: los valores completos de antes y después
    # (que repiten lo mismo) quedan para json, csv y excel.
    sin_valores = [c for c in columnas if c.clave not in ("antes", "despues")]
    salida.emitir(
        [vista(sin_valores, salida.PARA_LEER), vista(columnas, ("json", *salida.PLANILLAS))],
        formato,
    )
