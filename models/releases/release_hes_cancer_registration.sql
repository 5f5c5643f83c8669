select * from {{ ref('hospital_episodes') }}
