"""Names and answer weights for the demo people, written for PeerPath.

The pools reflect London's mix; each pool carries the equality answers people so
named tend to give, so that reports over the demo data look like a real borough.
Nothing here is drawn from real records.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice that costs one random number and a bisect per draw."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def split_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


PNTS = "prefer_not_to_say"


def weighted(text: str) -> Weighted[str]:
    """Parse 'white_british 84, white_irish 2'; 'pnts' is prefer not to say and '-' a blank answer."""
    pairs = []
    for item in text.split(","):
        value, weight = item.split()
        pairs.append(({"-": "", "pnts": PNTS}.get(value, value), float(weight)))
    return Weighted(pairs)


@dataclass(frozen=True)
class NamePool:
    """Names that go together, with the equality answers people so named tend to give."""

    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    ethnicity: Weighted[str]
    religion: Weighted[str]


NAME_POOLS = [
    NamePool(
        44,
        split_names(
            "Sarah, Emma, Claire, Helen, Joanne, Rachel, Karen, Susan, Julie, Lisa, Nicola, Catherine, Elizabeth,"
            " Margaret, Patricia, Jennifer, Amanda, Deborah, Linda, Alison, Lucy, Charlotte, Hannah, Sophie, Louise,"
            " Gillian, Janet, Carol, Jacqueline, Fiona, Ruth, Rebecca, Victoria, Jane, Anne, Pauline, Lesley, Wendy,"
            " Kate, Laura, Harriet, Rosemary, Maureen, Sandra, Tracey, Michelle, Denise, Zoë, Frances, Brenda"
        ),
        split_names(
            "David, John, Paul, Mark, Andrew, Richard, Peter, Michael, Stephen, James, Robert, Simon, Christopher,"
            " Ian, Neil, Martin, Gary, Anthony, Graham, Philip, Kevin, Colin, Keith, Alan, Nigel, Trevor, Thomas,"
            " William, Matthew, Daniel, Jonathan, Ben, Oliver, George, Edward, Roger, Geoffrey, Malcolm, Derek,"
            " Barry, Terry, Stuart, Gordon, Duncan, Hugh, Adrian, Clive, Dean, Russell, Jamie"
        ),
        split_names(
            "Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas, Johnson, Roberts, Robinson,"
            " Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall, Lewis, Harris, Clarke, Jackson, Wood,"
            " Turner, Martin, Cooper, Hill, Ward, Morris, Moore, King, Baker, Harrison, Morgan, Allen, Scott,"
            " Phillips, Watson, Parker, Price, Bennett, Young, Griffiths, Mitchell, Cook, Carter, Richardson, Bailey,"
            " Collins, Bell, Shaw, Miller, Cox, Marshall, Simpson, Ellis, Adams, Chapman, Webb, Rogers, Gray, Mason,"
            " Hunt, Holmes, Palmer, Fletcher, Barker, Pearce, Hayes, Gibson, Lloyd, Dixon, Knight, Butler, Russell,"
            " Fox, Lawrence, Stevens, Pearson, Reid, Hamilton, Fisher, Spencer, Hart, Hudson, Elliott, Marsh,"
            " Atkinson, Foster, Whitfield, Ashworth, Pemberton, Blackwood, Hollis, Kendall, Lockwood, Rowe, Sutton"
        ),
        weighted(
            "white_british 84, white_other 4, white_irish 2, white_gypsy_traveller 0.5,"
            " mixed_white_black_caribbean 2.5, mixed_white_black_african 1, mixed_white_asian 2, mixed_other 2,"
            " black_caribbean 1, other_any 1"
        ),
        weighted("none 46, christian 46, jewish 2.5, buddhist 1.5, other 2.5"),
    ),
    NamePool(
        3,
        split_names("Siobhan, Niamh, Aoife, Mairead, Bridget, Orla, Róisín, Sinead, Ciara, Deirdre, Mary, Kathleen"),
        split_names("Sean, Ciaran, Declan, Patrick, Liam, Eoin, Conor, Padraig, Fergal, Brendan, Kieran, Michael"),
        split_names(
            "Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan, O'Connor, O'Neill, Doyle, McCarthy, Gallagher,"
            " Doherty, Kennedy, Lynch, Quinn, Brennan, Fitzgerald, Donnelly, McGrath, Nolan, Keane"
        ),
        weighted("white_irish 72, white_british 22, white_other 4, white_gypsy_traveller 2"),
        weighted("christian 74, none 25, other 1"),
    ),
    NamePool(
        6,
        split_names(
            "Agnieszka, Katarzyna, Magdalena, Joanna, Anna, Ewa, Monika, Marta, Aleksandra, Dorota, Ioana, Elena,"
            " Andreea, Daiva, Irina, Kristina, Zsófia, Lenka"
        ),
        split_names(
            "Piotr, Tomasz, Krzysztof, Marek, Pawel, Andrzej, Jakub, Michal, Lukasz, Mihai, Andrei, Florin, Darius,"
            " Tomas, Bogdan, Viktor, Lajos, Ondrej"
        ),
        split_names(
            "Nowak, Wozniak, Mazur, Krawczyk, Kaczmarek, Wojcik, Zielinski, Popescu, Ionescu, Popa, Dumitru, Stan,"
            " Kazlauskas, Petrov, Horvath, Novak, Dvorak, Kovac, Szabo, Nagy, Varga, Balan"
        ),
        weighted("white_other 92, white_roma 3, white_british 2, mixed_other 3"),
        weighted("christian 78, none 20, other 2"),
    ),
    NamePool(
        3,
        split_names("Maria, Giulia, Francesca, Sofia, Ana, Carla, Inês, Chiara, Eleni, Despina, Lucia, Paola, Andreia"),
        split_names("Marco, Giuseppe, Antonio, João, Pedro, Luis, Carlos, Nikos, Giorgos, Alessandro, Rui, Stavros"),
        split_names(
            "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Silva, Santos, Ferreira, Pereira, Costa, Oliveira,"
            " García, Fernández, López, Martínez, Papadopoulos, Georgiou, Christodoulou, Constantinou"
        ),
        weighted("white_other 90, white_british 5, mixed_other 5"),
        weighted("christian 76, none 22, jewish 1, other 1"),
    ),
    NamePool(
        6,
        split_names(
            "Priya, Anjali, Sunita, Meera, Kavita, Neha, Pooja, Deepa, Lakshmi, Asha, Nisha, Rekha, Shanti, Divya,"
            " Harpreet, Manjit, Jaspreet, Kiran, Usha, Hema"
        ),
        split_names(
            "Rajesh, Sanjay, Anil, Vikram, Ramesh, Arjun, Rohan, Amit, Suresh, Deepak, Nikhil, Harjit, Jaswinder,"
            " Mandeep, Sunil, Vijay, Gurdeep, Ravi"
        ),
        split_names(
            "Patel, Shah, Sharma, Singh, Gupta, Mehta, Desai, Joshi, Kumar, Iyer, Nair, Pillai, Reddy, Chopra,"
            " Malhotra, Gill, Sandhu, Dhillon, Bains, Sidhu, Rao, Menon, Bhatt, Chauhan, Parmar, Mistry"
        ),
        weighted("asian_indian 86, asian_other 7, mixed_white_asian 4, other_any 3"),
        weighted("hindu 58, sikh 24, christian 6, muslim 4, none 7, other 1"),
    ),
    NamePool(
        5,
        split_names(
            "Ayesha, Fatima, Zainab, Nadia, Sana, Farah, Amina, Rukhsana, Shabana, Nasreen, Saima, Rubina, Hafsa,"
            " Yasmin, Sadia, Shamima, Taslima, Rehana"
        ),
        split_names(
            "Mohammed, Imran, Asif, Tariq, Bilal, Faisal, Kamran, Nadeem, Shahid, Zahid, Abdul, Rashid, Jamal,"
            " Shafiq, Mizanur, Anwar, Habib, Saiful"
        ),
        split_names(
            "Khan, Hussain, Ahmed, Ali, Iqbal, Akhtar, Rahman, Begum, Chowdhury, Miah, Uddin, Islam, Malik, Qureshi,"
            " Butt, Mahmood, Rashid, Siddiqui, Haque, Hossain, Aslam, Javed"
        ),
        weighted("asian_pakistani 56, asian_bangladeshi 34, asian_other 5, mixed_white_asian 2, other_any 3"),
        weighted("muslim 92, none 5, other 3"),
    ),
    NamePool(
        1.5,
        split_names("Tharshini, Kavitha, Vasanthi, Nirmala, Shanthi, Malathi, Thulasi, Janani"),
        split_names("Kumaran, Tharmalingam, Sivakumar, Ganesh, Mahesh, Rajan, Senthil, Kannan"),
        split_names(
            "Sivakumar, Rajaratnam, Balasubramaniam, Thevarajah, Selvarajah, Kanagaratnam, Jeyakumar, Nadarajah,"
            " Ponnampalam, Yogarajah"
        ),
        weighted("asian_other 80, asian_indian 15, other_any 5"),
        weighted("hindu 70, christian 25, none 5"),
    ),
    NamePool(
        1.5,
        split_names("Ji-woo, Min-ji, Seo-yeon, Eun-ji, Hye-jin, Soo-ah, Yoon-hee, Da-eun"),
        split_names("Min-jun, Ji-hoon, Sung-min, Dong-hyun, Jae-won, Hyun-woo, Sang-hoon, Joon-ho"),
        split_names("Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Shin"),
        weighted("asian_other 95, mixed_white_asian 2, other_any 3"),
        weighted("christian 55, none 33, buddhist 12"),
    ),
    NamePool(
        1.5,
        split_names("Mei, Xiu, Ling, Yan, Hui, Jing, Wendy, Grace, Shu, Lai"),
        split_names("Wei, Jun, Hao, Ming, Jian, Kevin, Tony, Kwok, Chi"),
        split_names("Chan, Wong, Li, Zhang, Wang, Chen, Liu, Lam, Cheung, Ho, Yeung, Ng, Tang, Leung"),
        weighted("asian_chinese 90, asian_other 5, mixed_white_asian 5"),
        weighted("none 55, christian 27, buddhist 16, other 2"),
    ),
    NamePool(
        6,
        split_names(
            "Adaeze, Chiamaka, Ngozi, Folake, Funmilayo, Abena, Akosua, Ama, Efua, Grace, Blessing, Comfort,"
            " Patience, Yetunde, Bisi, Nkechi, Hodan, Fadumo, Ifeoma, Esther"
        ),
        split_names(
            "Oluwaseun, Chinedu, Emeka, Tunde, Kwame, Kofi, Kwabena, Yaw, Samuel, Emmanuel, Femi, Segun, Obinna,"
            " Abdi, Ibrahim, Daniel, Joseph, Babatunde, Godfrey, Tendai"
        ),
        split_names(
            "Okafor, Adeyemi, Okonkwo, Adebayo, Mensah, Owusu, Boateng, Asante, Osei, Nwosu, Eze, Balogun,"
            " Ogunleye, Afolabi, Appiah, Darko, Abdi, Hassan, Farah, Mohamud, Okoro, Chukwu, Adewale, Ansah, Moyo,"
            " Banda"
        ),
        weighted("black_african 88, black_other 5, mixed_white_black_african 4, other_any 3"),
        weighted("christian 66, muslim 28, none 5, other 1"),
    ),
    NamePool(
        4,
        split_names(
            "Marcia, Sharon, Paulette, Beverley, Andrea, Simone, Jacqueline, Yvonne, Claudette, Sonia, Jasmine,"
            " Keisha, Shanice, Natalie, Donna, Hyacinth"
        ),
        split_names(
            "Delroy, Winston, Clive, Leroy, Errol, Desmond, Marcus, Tyrone, Devon, Lloyd, Carlton, Trevor, Andre,"
            " Jermaine, Courtney, Everton"
        ),
        split_names(
            "Campbell, Brown, Williams, Francis, Henry, Grant, Reid, Morgan, Clarke, Bailey, Robinson, Gordon,"
            " Samuels, Powell, Richards, Forbes, McKenzie, Bryan, Wallace, Anderson, Thompson, Gayle, Barrett"
        ),
        weighted("black_caribbean 74, mixed_white_black_caribbean 15, black_other 8, mixed_other 3"),
        weighted("christian 68, none 26, other 6"),
    ),
    NamePool(
        2.5,
        split_names("Leila, Yasmin, Noor, Rania, Samira, Maryam, Shirin, Elif, Zeynep, Ayşe, Nazanin, Dina"),
        split_names("Ali, Omar, Karim, Hassan, Mehmet, Mustafa, Reza, Dariush, Youssef, Tarek, Emre, Sami"),
        split_names(
            "Haddad, Khalil, Mansour, Nasser, Saleh, Yilmaz, Demir, Kaya, Öztürk, Ahmadi, Hosseini, Rezaei, Karimi,"
            " Abbas, Aziz, Hakimi"
        ),
        weighted("other_arab 45, white_other 25, other_any 25, asian_other 5"),
        weighted("muslim 70, none 15, christian 10, jewish 2, other 3"),
    ),
    NamePool(
        1,
        split_names("Camila, Valentina, Daniela, Carolina, Luisa, Gabriela, Mariana"),
        split_names("Diego, Andrés, Santiago, Javier, Felipe, Mateo, Ricardo"),
        split_names("Rodríguez, González, Hernández, Ramírez, Torres, Flores, Vargas, Rojas, Mendoza, Castillo"),
        weighted("other_any 50, white_other 25, mixed_other 25"),
        weighted("christian 78, none 22"),
    ),
    NamePool(
        1,
        split_names("Maricel, Rowena, Jocelyn, Marites, Analyn, Cristina, Rosario"),
        split_names("Jose, Rodel, Jomar, Ariel, Renato, Ramon, Dante"),
        split_names("Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Dela Cruz, Villanueva, Aquino, Ramos"),
        weighted("asian_other 90, mixed_other 5, other_any 5"),
        weighted("christian 95, none 5"),
    ),
]
POOL_PICKER = Weighted([(pool, pool.weight) for pool in NAME_POOLS])

# Short forms some people prefer to be called by.
PREFERRED_NAMES = {
    pair.partition("=")[0]: pair.partition("=")[2]
    for pair in split_names(
        "Elizabeth=Liz, Margaret=Maggie, Catherine=Kate, Jennifer=Jen, Patricia=Pat, Deborah=Debbie, Susan=Sue,"
        " Rebecca=Becky, Victoria=Vicky, Jacqueline=Jackie, Christopher=Chris, Michael=Mike, Anthony=Tony,"
        " Robert=Rob, William=Bill, Jonathan=Jon, Stephen=Steve, Philip=Phil, Matthew=Matt, Andrew=Andy,"
        " Oluwaseun=Seun, Funmilayo=Funmi, Chiamaka=Chi, Adaeze=Ada, Ifeoma=Ify, Mohammed=Mo, Katarzyna=Kasia,"
        " Aleksandra=Ola, Magdalena=Magda, Krzysztof=Chris"
    )
}
