-- One row per day: the time spine MetricFlow needs to query metrics by month.
with

days as (
    {{ dbt.date_spine('day', "cast('2013-04-01' as date)", "cast('2036-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
