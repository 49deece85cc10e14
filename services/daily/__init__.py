"""The daily record (第五、八、十一、十二、十三条): what a duty officer records all day.

    calls         来电: quick entry (owner = who took it, 第十二条), open an incident / 核报 /
                  instruction from a call, transfers with acceptance, close with result
    instructions  领导批示: verbatim, passed on with due dates, feedback, overdue, report back,
                  the leaders' board (件件有落实、事事有回音)
    hotline       市长热线代办事项: signed for on statutory holidays only (第八条(六)), forwarded, done
    logbook       值班记录本: compiled per shift, hash-chained, sealed at handover, addenda,
                  .docx/PDF, search, verify

Modules are imported by name (`from services.daily import calls`): this package imports
nothing itself, so services.shifts can import the log book without a cycle.
"""
